package iptables

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// ruleList is the rules of a table, in chunks that never move once
// allocated, so that workers can parse rules while more are added.
// Chunk k holds up to chunkCap(k) rules; all but the last are full.
type ruleList struct {
	chunks [][]pendingRule
	n      int
}

// chunkCap is the capacity of chunk k: small first, for small tables.
func chunkCap(k int) int { return 64 << min(k, 6) }

// add appends pr, taking a new chunk from free when the last is full.
func (l *ruleList) add(pr pendingRule, free *[][]pendingRule) {
	k := len(l.chunks)
	if k == 0 || len(l.chunks[k-1]) == cap(l.chunks[k-1]) {
		var c []pendingRule
		if len(*free) > 0 && cap((*free)[0]) == chunkCap(k) {
			c, *free = (*free)[0][:0], (*free)[1:]
		} else {
			c = make([]pendingRule, 0, chunkCap(k))
		}
		l.chunks = append(l.chunks, c)
		k++
	}
	l.chunks[k-1] = append(l.chunks[k-1], pr)
	l.n++
}

// stream is the parallel parsing of a big table's rules: rule publishes
// them, a block at a time, to workers that parse them while the following
// lines are read; finishTable waits for them (drain) and helps.
//
// The workers read the rules' pendingRule (written before the block is
// sent) and the table's chains map, which does not change any more: the
// chains the table gets after the stream started go to ts.late, which the
// workers do not read. A rule that names such a chain would be misread by
// them; drain then parses all the table's rules again, without workers
// (such a table is broken: iptables-save declares chains before rules).
type stream struct {
	ch chan []pendingRule
	// The rules before rule off of chunk chunk are sent.
	chunk, off int
	closed     bool
	wg         sync.WaitGroup
	// panicked is the first panic of a worker, for drain to repeat.
	panicked atomic.Pointer[any]
}

// close closes the stream's channel, once: the workers stop when they
// have parsed what was sent.
func (st *stream) close() {
	if !st.closed {
		st.closed = true
		close(st.ch)
	}
}

// numWorkers is the number of goroutines for parallel work.
func (p *parser) numWorkers() int {
	if p.workers > 0 {
		return p.workers
	}
	return runtime.GOMAXPROCS(0)
}

// publish starts the table's stream once it has minParallel rules, and
// sends the rules not sent yet when they make a block or fill a chunk.
func (p *parser) publish(ts *tableState) {
	if ts.stream == nil {
		if ts.rules.n < p.minParallel || p.numWorkers() < 2 {
			return
		}
		p.startStream(ts)
	}
	ts.stream.send(&ts.rules, max(p.block, 1))
}

// send sends the unsent rules of l in blocks of at least block rules
// (any number when block is 0).
func (st *stream) send(l *ruleList, block int) {
	for st.chunk < len(l.chunks) {
		c := l.chunks[st.chunk]
		if end := len(c); end > st.off && (end-st.off >= block || end == cap(c)) {
			st.ch <- c[st.off:end]
			st.off = end
		}
		if st.off < cap(c) {
			return
		}
		st.chunk, st.off = st.chunk+1, 0
	}
}

func (p *parser) startStream(ts *tableState) {
	// A message is sent per block or chunk (and one at the end): the
	// channel has room for all, so that sending never waits.
	st := &stream{ch: make(chan []pendingRule, p.lines/max(p.block, 1)+p.lines/chunkCap(0)+16)}
	ts.stream = st
	// While this goroutine reads lines, numWorkers-1 others parse; at
	// the end it helps them (drain).
	for range p.numWorkers() - 1 {
		st.wg.Add(1)
		go func() {
			defer st.wg.Done()
			st.work(&ruleParser{file: p.file, fam: p.fam, ts: ts})
		}()
	}
}

// work parses the rules it receives until the stream is drained.
func (st *stream) work(rp *ruleParser) {
	defer func() {
		if v := recover(); v != nil {
			st.panicked.CompareAndSwap(nil, &v)
			for range st.ch {
			}
		}
	}()
	for rules := range st.ch {
		for i := range rules {
			rp.parse(&rules[i])
		}
	}
}

// parseRules parses the rules of the table that no worker parsed: all of
// them when the table had no stream, else none, unless the workers may
// have misread some.
func (p *parser) parseRules(ts *tableState) {
	if p.rp == nil {
		p.rp = &ruleParser{file: p.file, fam: p.fam}
	}
	defer func() { p.rp.ts = nil }()
	if st := ts.stream; st != nil {
		st.send(&ts.rules, 0)
		st.close()
		p.rp.ts, p.rp.late = ts, false
		st.work(p.rp)
		st.wg.Wait()
		if v := st.panicked.Load(); v != nil {
			panic(*v)
		}
		if len(ts.late) == 0 {
			return
		}
	}
	p.rp.ts, p.rp.late = ts, true
	for _, c := range ts.rules.chunks {
		for i := range c {
			p.rp.parse(&c[i])
		}
	}
}

// eachChunk runs f on the chunks of l, on numWorkers goroutines when l
// has at least minParallel rules. newWorker makes the f of one goroutine.
func (p *parser) eachChunk(l *ruleList, newWorker func() func(rules []pendingRule)) {
	workers := min(p.numWorkers(), len(l.chunks))
	if workers < 2 || l.n < p.minParallel {
		f := newWorker()
		for _, c := range l.chunks {
			f(c)
		}
		return
	}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		panicked atomic.Pointer[any]
	)
	work := func() {
		defer func() {
			if v := recover(); v != nil {
				panicked.CompareAndSwap(nil, &v)
			}
		}()
		f := newWorker()
		for {
			k := int(next.Add(1)) - 1
			if k >= len(l.chunks) {
				return
			}
			f(l.chunks[k])
		}
	}
	for range workers - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
	if v := panicked.Load(); v != nil {
		panic(*v)
	}
}
