package nft

import (
	"fmt"

	nf "farend/internal/netfilter"
)

func (r *ruleCtx) counter(body any) item {
	if name, ok := body.(string); ok {
		text := "counter name " + quote(name)
		c := &nf.NFTCounter{Name: name, Text: text}
		if o := r.table.NFT.Objects["counter "+name]; o != nil {
			c.Packets, c.Bytes = o.Packets, o.Bytes
		} else {
			r.opaque(text, "no counter object of that name")
		}
		return item{stmt: c, text: text}
	}
	m, _ := obj(body)
	c := &nf.NFTCounter{Text: "counter"}
	if m != nil {
		c.Packets, _ = numField(m, "packets")
		c.Bytes, _ = numField(m, "bytes")
		c.Text = fmt.Sprintf("counter packets %d bytes %d", c.Packets, c.Bytes)
	}
	return item{stmt: c, text: c.Text}
}

func (r *ruleCtx) log(m jobj) item {
	l := &nf.NFTLog{Level: "warn"}
	text := "log"
	if p, ok := str(m, "prefix"); ok {
		l.Prefix = p
		text += " prefix " + quote(p)
	}
	if g, ok := numField(m, "group"); ok {
		l.Group, l.HasGroup = g, true
		text += fmt.Sprintf(" group %d", g)
	}
	if n, ok := numField(m, "snaplen"); ok {
		text += fmt.Sprintf(" snaplen %d", n)
	}
	if n, ok := numField(m, "queue-threshold"); ok {
		text += fmt.Sprintf(" queue-threshold %d", n)
	}
	if lv, ok := str(m, "level"); ok {
		l.Level = lv
		if lv != "warn" {
			text += " level " + lv
		}
	}
	if fl, ok := strList(m.get("flags")); ok && len(fl) > 0 {
		has := map[string]bool{}
		for _, f := range fl {
			has[f] = true
		}
		if has["all"] {
			text += " flags all"
		} else {
			switch {
			case has["tcp sequence"] && has["tcp options"]:
				text += " flags tcp sequence,options"
			case has["tcp sequence"]:
				text += " flags tcp sequence"
			case has["tcp options"]:
				text += " flags tcp options"
			}
			if has["ip options"] {
				text += " flags ip options"
			}
			if has["skuid"] {
				text += " flags skuid"
			}
			if has["ether"] {
				text += " flags ether"
			}
		}
	}
	l.Text = text
	return item{stmt: l, text: text}
}

// byteUnits are nft's data units (nftables src/statement.c get_rate).
var byteUnits = map[string]uint64{"bytes": 1, "kbytes": 1 << 10, "mbytes": 1 << 20, "gbytes": 1 << 30}

func (r *ruleCtx) limit(kind string, body any) (item, error) {
	if name, ok := body.(string); ok {
		text := kind + " name " + quote(name)
		o := r.table.NFT.Objects[kind+" "+name]
		if o == nil || o.Limit == nil {
			return item{}, fmt.Errorf("no %s object %q", kind, name)
		}
		l := *o.Limit
		l.Text = text
		return item{match: &l, text: text}, nil
	}
	m, _ := obj(body)
	if m == nil {
		return item{}, fmt.Errorf("invalid %s %s", kind, compact(body))
	}
	l := &nf.NFTLimit{}
	l.Inv, _ = m.get("inv").(bool)
	over := ""
	if l.Inv {
		over = "over "
	}
	if kind == "quota" {
		l.Quota = true
		val, _ := numField(m, "val")
		unit, _ := str(m, "val_unit")
		if unit == "" {
			unit = "bytes"
		}
		used, _ := numField(m, "used")
		uunit, _ := str(m, "used_unit")
		if uunit == "" {
			uunit = "bytes"
		}
		l.Bytes, l.Used = val*byteUnits[unit], used*byteUnits[uunit]
		l.Text = fmt.Sprintf("quota %s%d %s", over, val, unit)
		if used != 0 {
			l.Text += fmt.Sprintf(" used %d %s", used, uunit)
		}
		return item{match: l, text: l.Text}, nil
	}
	l.Rate, _ = numField(m, "rate")
	l.Burst, _ = numField(m, "burst")
	l.Per, _ = str(m, "per")
	l.Unit, _ = str(m, "rate_unit")
	if l.Unit == "" || l.Unit == "packets" {
		l.Text = fmt.Sprintf("limit rate %s%d/%s", over, l.Rate, l.Per)
		if l.Burst != 0 && l.Burst != 5 {
			l.Text += fmt.Sprintf(" burst %d packets", l.Burst)
		}
	} else {
		l.Text = fmt.Sprintf("limit rate %s%d %s/%s", over, l.Rate, l.Unit, l.Per)
		if l.Burst != 0 {
			bu, _ := str(m, "burst_unit")
			l.Text += fmt.Sprintf(" burst %d %s", l.Burst, bu)
		}
	}
	return item{match: l, text: l.Text}, nil
}
