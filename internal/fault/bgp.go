package fault

import "net/http"

// BgpSpeakerNotFound is 404 BgpSpeakerNotFound.
func BgpSpeakerNotFound(id string) *Fault {
	return NotFound("BgpSpeakerNotFound", "BGP speaker %s could not be found.", id)
}

// BgpPeerNotFound is 404 BgpPeerNotFound.
func BgpPeerNotFound(id string) *Fault {
	return NotFound("BgpPeerNotFound", "BGP peer %s could not be found.", id)
}

// InvalidBgpPeerMd5Authentication is 400: md5 needs a password.
func InvalidBgpPeerMd5Authentication() *Fault {
	return New(http.StatusBadRequest, "InvalidBgpPeerMd5Authentication", "A password must be supplied when using auth_type md5.")
}

// BgpPeerNotAuthenticated is neutron-dynamic-routing's 404 for a password on a peer without md5.
func BgpPeerNotAuthenticated(id string) *Fault {
	return NotFound("BgpPeerNotAuthenticated", "BGP peer %s not authenticated.", id)
}

// BgpSpeakerBadRequest is 400 BadRequest of a bgp-speaker action.
func BgpSpeakerBadRequest(format string, args ...any) *Fault {
	return New(http.StatusBadRequest, "BadRequest", "Bad bgp-speaker request: "+format, args...)
}

// DuplicateBgpPeerIP is 409: the speaker already peers with that address.
func DuplicateBgpPeerIP(speakerID, peerIP, peerID string) *Fault {
	return Conflict("DuplicateBgpPeerIpException", "BGP Speaker %s is already configured to peer with a BGP Peer at %s, it cannot peer with BGP Peer %s.", speakerID, peerIP, peerID)
}

// MidonetBgpPeerInUse is 409: MidoNet lets a peer belong to one speaker only.
func MidonetBgpPeerInUse(peerID, speakerID string) *Fault {
	return Conflict("MidonetBgpPeerInUse", "BGP peer %s is already associated with BGP speaker %s.", peerID, speakerID)
}

// ExternalNetworkUnbound is 400: MidoNet needs the speaker's network (its router) before peers.
func ExternalNetworkUnbound(speakerID string) *Fault {
	return New(http.StatusBadRequest, "ExternalNetworkUnbound", "BGP speaker %s has no gateway network (router) yet: add one before its peers.", speakerID)
}

// BgpSpeakerInUse is 409 with MidoNet's reason.
func BgpSpeakerInUse(speakerID, reason string) *Fault {
	return Conflict("BgpSpeakerInUse", "BGP speaker %s is %s.", speakerID, reason)
}

// BgpSpeakerNetworkNotAssociated is 404: the network is not the speaker's.
func BgpSpeakerNetworkNotAssociated(networkID, speakerID string) *Fault {
	return NotFound("BgpSpeakerNetworkNotAssociated", "Network %s is not associated with BGP speaker %s.", networkID, speakerID)
}

// BgpSpeakerPeerNotAssociated is 404: the peer is not the speaker's.
func BgpSpeakerPeerNotAssociated(peerID, speakerID string) *Fault {
	return NotFound("BgpSpeakerPeerNotAssociated", "BGP peer %s is not associated with BGP speaker %s.", peerID, speakerID)
}

// BgpNetworkInvalid is 400 for a gateway network MidoNet cannot use, with the reason.
func BgpNetworkInvalid(typ, format string, args ...any) *Fault {
	return New(http.StatusBadRequest, typ, format, args...)
}

// RouterInUseByBgpSpeaker is 409 RouterInUse: the router is a speaker's.
func RouterInUseByBgpSpeaker(routerID, speakerID string) *Fault {
	return Conflict("RouterInUse", "Router %s still has ports: it is associated with bgp speaker %s.", routerID, speakerID)
}
