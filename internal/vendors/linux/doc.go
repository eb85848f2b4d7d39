// Package linux reads what a Linux host's own tools print about its
// network into the model:
//
//	file            command                           parser
//	ip-link.json    ip -j -d link show                ParseLinks
//	ip-addr.json    ip -j addr show                   ParseAddrs (merges into ParseLinks' result,
//	                                                  or builds the interfaces alone)
//	ip-route.json   ip -j -4 route show table all     ParseRoutes(..., false)
//	ip6-route.json  ip -j -6 route show table all     ParseRoutes(..., true)
//	ip-rule.json    ip -j -4 rule show                ParseRules(..., false)
//	ip6-rule.json   ip -j -6 rule show                ParseRules(..., true)
//	sysctl.txt      sysctl -a (net.* lines suffice)   ParseSysctl
//
// The JSON shapes are those of iproute2's ip/ipaddress.c (links and
// addresses), ip/iproute.c and ip/iproute_lwtunnel.c (routes) and
// ip/iprule.c (rules), checked against iproute2 6.1 on Linux 6.18:
// testdata/gen.sh builds a network namespace and captures them into
// testdata/netns.
//
// The parsers are lenient and honest. They never panic and always return
// what they could read. Every key of every JSON element is consumed into
// the model, listed in an explicit known-and-ignored set (display-only or
// derived values such as qdisc, txqlen, MAC addresses, lifetimes), or
// reported as a note "file[i]: not understood: key=value (why)"; nested
// keys are named by path ("linkinfo.info_data.ikey", "nexthops[1].flow").
// A `sysctl -a` note names the line ("sysctl.txt:12").
//
// iproute2 prints names for numbers from its name files (rt_tables,
// rt_protos, rt_dsfield, group). The defaults are built in; a name only
// the host's own files define cannot be turned into a number: a table
// name then gets a synthetic id (the same in every file) and a note.
package linux
