package topology

import "fmt"

// peers links each point-to-point address (`ip addr add A peer B`, a PPP
// link) to the interface whose address is its peer; a peer that is no
// device's address is reported.
func (b *builder) peers() {
	owners := b.owners()
	for _, d := range b.devs {
		for _, ifc := range d.Interfaces {
			if ifc.Loopback {
				continue
			}
			ep := Endpoint{d.Name, ifc.Name}
			for _, a := range ifc.Addrs {
				if !a.Peer.IsValid() {
					continue
				}
				far := a.Peer.Addr()
				found := false
				for _, o := range owners[far] {
					if o == ep {
						continue
					}
					found = true
					b.link(ep, o, Reason{Kind: KindPeer, Text: fmt.Sprintf("%s %s peer %s is %s's address", ep, a.Prefix.Addr(), a.Peer, o)})
				}
				if !found {
					b.unpair(Unpaired{Endpoint: ep, Kind: KindPointToPoint,
						Reason: fmt.Sprintf("%s peer %s: %s is no device's address: the far end is outside the snapshot", a.Prefix.Addr(), a.Peer, far)})
				}
			}
		}
	}
}
