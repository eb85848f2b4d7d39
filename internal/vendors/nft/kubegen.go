package nft

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
)

// KubeProxyRuleset returns libnftables JSON shaped like kube-proxy's
// nftables mode (kubernetes pkg/proxy/nftables/proxier.go, v1.31) for the
// given number of ClusterIP services with a NodePort, each with
// endpoints endpoints: table ip kube-proxy with its base chains at
// priorities -110, -100, -90 and 100; the verdict maps service-ips (ip
// daddr . meta l4proto . th dport -> goto service chain) and
// service-nodeports; per service a chain that marks off-cluster traffic
// for masquerading and picks an endpoint chain with `numgen random mod N
// vmap`, an external chain for the node port; per endpoint a chain that
// DNATs to the pod. Chain names are kube-proxy's (a prefix, 8 base32
// characters of a SHA-256, the service port's name). It is deterministic;
// `nft -j -f` loads it as it is (testdata/src/kube.in.json is its output
// for 20 services and 2 endpoints, and kube.json what nft lists back).
func KubeProxyRuleset(services, endpoints int) []byte {
	const table = "kube-proxy"
	var objs []any
	add := func(kind string, body map[string]any) {
		body["family"] = "ip"
		objs = append(objs, map[string]any{kind: body})
	}
	match := func(op string, left, right any) any {
		return map[string]any{"match": map[string]any{"op": op, "left": left, "right": right}}
	}
	payload := func(proto, field string) any {
		return map[string]any{"payload": map[string]any{"protocol": proto, "field": field}}
	}
	meta := func(key string) any { return map[string]any{"meta": map[string]any{"key": key}} }
	verdict := func(kind, target string) any {
		if target == "" {
			return map[string]any{kind: nil}
		}
		return map[string]any{kind: map[string]any{"target": target}}
	}
	ctNew := match("in", map[string]any{"ct": map[string]any{"key": "state"}}, "new")
	rule := func(chain string, expr ...any) {
		add("rule", map[string]any{"table": table, "chain": chain, "expr": expr})
	}
	hash := func(s string) string {
		h := sha256.Sum256([]byte(s))
		return base32.StdEncoding.EncodeToString(h[:])[:8]
	}
	svcKey := []any{payload("ip", "daddr"), meta("l4proto"), payload("th", "dport")}

	objs = append(objs, map[string]any{"metainfo": map[string]any{"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}})
	add("table", map[string]any{"name": table})
	add("set", map[string]any{"table": table, "name": "cluster-ips", "type": "ipv4_addr"})
	add("set", map[string]any{"table": table, "name": "nodeport-ips", "type": "ipv4_addr", "elem": []any{"192.168.0.10"}})
	for _, m := range []struct {
		name string
		typ  []any
	}{
		{"firewall-ips", []any{"ipv4_addr", "inet_proto", "inet_service"}},
		{"no-endpoint-nodeports", []any{"inet_proto", "inet_service"}},
		{"no-endpoint-services", []any{"ipv4_addr", "inet_proto", "inet_service"}},
	} {
		add("map", map[string]any{"table": table, "name": m.name, "type": m.typ, "map": "verdict"})
	}
	type svc struct {
		ip             string
		port, nodePort int
		chain, extern  string
		eps, epChains  []string
	}
	all := make([]svc, services)
	svcElems := make([]any, 0, services)
	nodeElems := make([]any, 0, services)
	clusterIPs := make([]any, 0, services)
	for i := range all {
		s := &all[i]
		name := fmt.Sprintf("ns%d/svc%d/tcp/http", i%50, i)
		s.ip = fmt.Sprintf("10.96.%d.%d", i/250, i%250+1)
		s.port = 80 + i%7
		s.nodePort = 30000 + i
		s.chain = "service-" + hash("service"+name) + "-" + name
		s.extern = "external-" + hash("external"+name) + "-" + name
		for e := 0; e < endpoints; e++ {
			n := i*endpoints + e
			ep := fmt.Sprintf("10.244.%d.%d", n/250%256, n%250+2)
			s.eps = append(s.eps, ep)
			s.epChains = append(s.epChains, "endpoint-"+hash(name+ep)+"-"+name+"__"+ep+"/8080")
		}
		svcElems = append(svcElems, []any{map[string]any{"concat": []any{s.ip, "tcp", s.port}}, verdict("goto", s.chain)})
		nodeElems = append(nodeElems, []any{map[string]any{"concat": []any{"tcp", s.nodePort}}, verdict("goto", s.extern)})
		clusterIPs = append(clusterIPs, s.ip)
	}
	add("map", map[string]any{"table": table, "name": "service-ips", "type": []any{"ipv4_addr", "inet_proto", "inet_service"}, "map": "verdict"})
	add("map", map[string]any{"table": table, "name": "service-nodeports", "type": []any{"inet_proto", "inet_service"}, "map": "verdict"})

	base := []struct {
		name, typ, hook string
		prio            int
	}{
		{"filter-prerouting", "filter", "prerouting", -110},
		{"filter-input", "filter", "input", -110},
		{"filter-forward", "filter", "forward", -110},
		{"filter-output", "filter", "output", -110},
		{"filter-output-post-dnat", "filter", "output", -90},
		{"nat-prerouting", "nat", "prerouting", -100},
		{"nat-output", "nat", "output", -100},
		{"nat-postrouting", "nat", "postrouting", 100},
	}
	for _, b := range base {
		add("chain", map[string]any{"table": table, "name": b.name, "type": b.typ, "hook": b.hook, "prio": b.prio, "policy": "accept"})
	}
	regular := []string{"cluster-ips-check", "firewall-check", "mark-for-masquerade", "masquerading", "nodeport-endpoints-check", "reject-chain", "service-endpoints-check", "services"}
	for _, c := range regular {
		add("chain", map[string]any{"table": table, "name": c})
	}
	for _, s := range all {
		add("chain", map[string]any{"table": table, "name": s.chain})
		add("chain", map[string]any{"table": table, "name": s.extern})
		for _, c := range s.epChains {
			add("chain", map[string]any{"table": table, "name": c})
		}
	}

	// Elements that jump to chains come after the chains (nft -j -f
	// refuses a verdict to a chain that does not exist yet).
	if len(all) > 0 {
		add("element", map[string]any{"table": table, "name": "cluster-ips", "elem": clusterIPs})
		add("element", map[string]any{"table": table, "name": "service-ips", "elem": svcElems})
		add("element", map[string]any{"table": table, "name": "service-nodeports", "elem": nodeElems})
	}
	rule("filter-prerouting", ctNew, verdict("jump", "firewall-check"))
	rule("filter-input", ctNew, verdict("jump", "nodeport-endpoints-check"))
	rule("filter-input", ctNew, verdict("jump", "service-endpoints-check"))
	rule("filter-forward", ctNew, verdict("jump", "service-endpoints-check"))
	rule("filter-forward", ctNew, verdict("jump", "cluster-ips-check"))
	rule("filter-output", ctNew, verdict("jump", "service-endpoints-check"))
	rule("filter-output", ctNew, verdict("jump", "firewall-check"))
	rule("filter-output-post-dnat", ctNew, verdict("jump", "cluster-ips-check"))
	rule("nat-prerouting", verdict("jump", "services"))
	rule("nat-output", verdict("jump", "services"))
	rule("nat-postrouting", verdict("jump", "masquerading"))
	rule("cluster-ips-check", match("==", payload("ip", "daddr"), "@cluster-ips"), map[string]any{"reject": nil})
	rule("cluster-ips-check", match("==", payload("ip", "daddr"), map[string]any{"prefix": map[string]any{"addr": "10.96.0.0", "len": 16}}), verdict("drop", ""))
	rule("firewall-check", map[string]any{"vmap": map[string]any{"key": map[string]any{"concat": svcKey}, "data": "@firewall-ips"}})
	rule("mark-for-masquerade", map[string]any{"mangle": map[string]any{"key": meta("mark"), "value": map[string]any{"|": []any{meta("mark"), 0x4000}}}})
	rule("masquerading", match("==", map[string]any{"&": []any{meta("mark"), 0x4000}}, 0), verdict("return", ""))
	rule("masquerading", map[string]any{"mangle": map[string]any{"key": meta("mark"), "value": map[string]any{"^": []any{meta("mark"), 0x4000}}}})
	rule("masquerading", map[string]any{"masquerade": map[string]any{"flags": "fully-random"}})
	rule("nodeport-endpoints-check", match("==", payload("ip", "daddr"), "@nodeport-ips"), map[string]any{"vmap": map[string]any{"key": map[string]any{"concat": []any{meta("l4proto"), payload("th", "dport")}}, "data": "@no-endpoint-nodeports"}})
	rule("reject-chain", map[string]any{"reject": nil})
	rule("service-endpoints-check", map[string]any{"vmap": map[string]any{"key": map[string]any{"concat": svcKey}, "data": "@no-endpoint-services"}})
	rule("services", map[string]any{"vmap": map[string]any{"key": map[string]any{"concat": svcKey}, "data": "@service-ips"}})
	rule("services",
		match("==", map[string]any{"fib": map[string]any{"result": "type", "flags": []any{"daddr"}}}, "local"),
		match("!=", payload("ip", "daddr"), map[string]any{"prefix": map[string]any{"addr": "127.0.0.0", "len": 8}}),
		map[string]any{"vmap": map[string]any{"key": map[string]any{"concat": []any{meta("l4proto"), payload("th", "dport")}}, "data": "@service-nodeports"}})
	for _, s := range all {
		rule(s.chain,
			match("==", payload("ip", "daddr"), s.ip),
			match("==", payload("tcp", "dport"), s.port),
			match("!=", payload("ip", "saddr"), map[string]any{"prefix": map[string]any{"addr": "10.244.0.0", "len": 16}}),
			verdict("jump", "mark-for-masquerade"))
		if len(s.epChains) > 0 {
			var elems []any
			for e, c := range s.epChains {
				elems = append(elems, []any{e, verdict("goto", c)})
			}
			rule(s.chain, map[string]any{"vmap": map[string]any{
				"key":  map[string]any{"numgen": map[string]any{"mode": "random", "mod": len(s.epChains), "offset": 0}},
				"data": map[string]any{"set": elems},
			}})
		}
		rule(s.extern, verdict("jump", "mark-for-masquerade"))
		rule(s.extern, verdict("goto", s.chain))
		for e, c := range s.epChains {
			rule(c, match("==", payload("ip", "saddr"), s.eps[e]), verdict("jump", "mark-for-masquerade"))
			rule(c, match("==", meta("l4proto"), "tcp"), map[string]any{"dnat": map[string]any{"addr": s.eps[e], "port": 8080}})
		}
	}
	out, err := json.Marshal(map[string]any{"nftables": objs})
	if err != nil {
		return nil // only maps, slices, strings and ints: cannot happen
	}
	return out
}
