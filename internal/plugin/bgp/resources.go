package bgp

import (
	"fmt"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/resource"
)

// Extensions are the BGP aliases (neutron-dynamic-routing's bgp and bgp_4byte_asn, and
// networking-midonet's vendor bgp-speaker-router-insertion).
var Extensions = []resource.Extension{
	{Alias: "bgp", Name: "BGP Dynamic Routing Extension", Description: "Discover and advertise routes with BGP", Updated: "2016-05-10T15:37:00-00:00"},
	{Alias: "bgp-speaker-router-insertion", Name: "BgpSpeakerRouterInsertion", Description: "Associate a BGP speaker with a router", Updated: "2016-04-17T10:00:00-00:00"},
	// local_as and remote_as take 4-byte AS numbers (RFC 6793), as the sessions do.
	{Alias: "bgp_4byte_asn", Name: "BGP 4-byte AS numbers", Description: "Support bgp 4-byte AS number", Updated: "2017-09-07T00:00:00-00:00"},
}

// asNumber validates an AS number as neutron-dynamic-routing does (1..4294967295).
func asNumber(v any) string {
	n, ok := model.Int(v)
	if !ok {
		return fmt.Sprintf("'%v' is not an integer", v)
	}
	if n < 1 {
		return fmt.Sprintf("'%d' is too small - must be at least '1'", n)
	}
	if n > 4294967295 {
		return fmt.Sprintf("'%d' is too large - must be no larger than '4294967295'", n)
	}
	return ""
}

// Speakers is /v2.0/bgp-speakers (no sort keys, as neutron-dynamic-routing).
var Speakers = &resource.Resource{
	Collection: "bgp_speakers", Member: "bgp_speaker", Path: "bgp-speakers",
	DataType: "BGPSPEAKER", RESTPath: "bgp_speakers", Translate: 12,
	Lookups:  []string{"logical_router", "peers"}, // a router's speaker (its delete), a peer's
	NotFound: fault.BgpSpeakerNotFound,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID, NoSort: true},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset, NoSort: true},
		{Name: "project_id", Post: true, Validate: resource.String(255), Default: resource.Unset, NoSort: true},
		{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: "", NoSort: true},
		{Name: "local_as", Post: true, Required: true, Convert: resource.ToInt, Validate: asNumber, NoSort: true},
		{Name: "ip_version", Post: true, Convert: resource.ToInt, Validate: resource.Values(4, 6), Default: 4, NoSort: true},
		{Name: "advertise_floating_ip_host_routes", Post: true, Put: true, Convert: resource.ToBool, Default: true, NoSort: true},
		{Name: "advertise_tenant_networks", Post: true, Put: true, Convert: resource.ToBool, Default: true, NoSort: true},
		{Name: "peers", NoSort: true, NoFilter: true},
		{Name: "networks", NoSort: true, NoFilter: true},
		{Name: "logical_router", Post: true, Validate: resource.UUIDOrNone, Default: nil, Policy: true, NoSort: true, Ext: "bgp-speaker-router-insertion"},
	},
}

// Peers is /v2.0/bgp-peers; the password is write-only.
var Peers = &resource.Resource{
	Collection: "bgp_peers", Member: "bgp_peer", Path: "bgp-peers",
	DataType: "BGPPEER", RESTPath: "bgp_peers", Translate: 11,
	NotFound: fault.BgpPeerNotFound,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID, NoSort: true},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset, NoSort: true},
		{Name: "project_id", Post: true, Validate: resource.String(255), Default: resource.Unset, NoSort: true},
		{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: "", NoSort: true},
		{Name: "peer_ip", Post: true, Required: true, Validate: resource.IP, NoSort: true},
		{Name: "remote_as", Post: true, Required: true, Convert: resource.ToInt, Validate: asNumber, NoSort: true},
		{Name: "auth_type", Post: true, Validate: resource.Values("none", "md5"), Default: "none", NoSort: true},
		{Name: "password", Post: true, Put: true, Validate: resource.StringOrNone(255), Default: nil, Hidden: true, Secret: true},
	},
}
