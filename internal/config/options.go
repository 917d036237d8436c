package config

import (
	"fmt"
	"os"
)

// Group names, in their canonical (normalised) form.
const (
	GroupDatabase          = "database"
	GroupKeystoneAuthtoken = "keystone_authtoken"
	GroupMidonet           = "midonet"
	GroupML2               = "ml2"
	GroupML2Flat           = "ml2_type_flat"
	GroupML2VLAN           = "ml2_type_vlan"
	GroupML2VXLAN          = "ml2_type_vxlan"
	GroupML2GRE            = "ml2_type_gre"
	GroupQuotas            = "quotas"
	GroupOsloPolicy        = "oslo_policy"
	GroupOsloMiddleware    = "oslo_middleware"
)

// DefaultRegistry returns a new registry holding every option the server
// knows, with the upstream defaults (neutron, oslo.db, oslo.policy,
// keystonemiddleware, networking-midonet) unless noted in the help.
func DefaultRegistry() *Registry {
	r := NewRegistry()
	for _, group := range [][]Option{
		defaultOptions(), databaseOptions(), keystoneOptions(), midonetOptions(),
		ml2Options(), quotaOptions(), policyOptions(), limitOptions(),
	} {
		if err := r.Register(group...); err != nil {
			panic(err) // the tables below are wrong
		}
	}
	return r
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "localhost"
	}
	return h
}

func defaultOptions() []Option {
	d := func(name string, t Type, def, help string) Option {
		return Option{Group: DefaultGroup, Name: name, Type: t, Default: def, Help: help}
	}
	return []Option{
		d("auth_strategy", String, "keystone", "How API requests are authenticated: keystone or noauth."),
		d("bind_host", String, "0.0.0.0", "Address the API server listens on."),
		d("bind_port", Int, "9696", "TCP port the API server listens on."),
		d("api_workers", Int, "", "Number of API workers; unset lets the server decide."),
		d("core_plugin", String, "ml2", "Core plugin. Only ml2 (with the midonet mechanism driver) is implemented."),
		d("service_plugins", List, "", "Service plugins to load, comma separated."),
		d("base_mac", String, "fa:16:3e:00:00:00", "Base MAC address for ports: the first three octets are kept, "+
			"the fourth too when it is not 00, the rest are random."),
		d("allow_bulk", Bool, "true", "Allow bulk create requests."),
		d("pagination_max_limit", String, "-1", "Most items returned in one list response; "+
			"a negative number or 'infinite' means no limit."),
		d("default_availability_zones", List, "", "Availability zone hints used when a resource has none."),
		d("max_dns_nameservers", Int, "5", "Most DNS name servers per subnet."),
		d("max_subnet_host_routes", Int, "20", "Most host routes per subnet."),
		d("max_routes", Int, "30", "Most extra routes per router."),
		d("max_allowed_address_pair", Int, "10", "Most allowed address pairs per port."),
		d("allow_overlapping_ips", Bool, "true", "Let projects use overlapping CIDRs. "+
			"Neutron removed this option in Zed and always allows overlap; kept so old files load."),
		d("global_physnet_mtu", Int, "1500", "MTU of the underlying physical network; overlay "+
			"networks subtract their encapsulation overhead from it."),
		d("dhcp_lease_duration", Int, "86400", "DHCP lease time in seconds; -1 means infinite."),
		d("dns_domain", String, "openstacklocal", "Domain used to build host names."),
		d("router_distributed", Bool, "false", "Whether new routers are distributed by default (admin may override)."),
		d("enable_snat_by_default", Bool, "true", "Default of enable_snat when external_gateway_info omits it."),
		d("agent_down_time", Int, "75", "Seconds without a heartbeat after which an agent counts as down."),
		d("filter_validation", Bool, "true", "Reject list filters on unknown attributes."),
		d("host", String, hostname(), "Name of this host as the server and agents report it."),
		d("state_path", String, "/var/lib/neutron", "Directory for state files (the embedded databases live here)."),
		d("debug", Bool, "false", "Log at debug level."),
		d("log_file", String, "", "Log to this file instead of standard error."),
		d("log_dir", String, "", "Directory that a relative log_file is taken from."),
	}
}

func databaseOptions() []Option {
	return []Option{
		{Group: GroupDatabase, Name: "connection", Type: String, Secret: true,
			Help: "Neutron database URL (sqlite:///path or postgresql://...); empty means the embedded default."},
		{Group: GroupDatabase, Name: "max_pool_size", Type: Int, Default: "5",
			Help: "Most open database connections kept in the pool; 0 means no limit."},
		{Group: GroupDatabase, Name: "connection_recycle_time", Type: Int, Default: "3600",
			Help: "Seconds after which a pooled connection is replaced."},
	}
}

func keystoneOptions() []Option {
	k := func(name string, t Type, def, help string) Option {
		return Option{Group: GroupKeystoneAuthtoken, Name: name, Type: t, Default: def, Help: help}
	}
	pw := k("password", String, "", "Password of the service user.")
	pw.Secret = true
	return []Option{
		k("www_authenticate_uri", String, "", "Public Identity endpoint sent to clients in WWW-Authenticate."),
		k("auth_url", String, "", "Identity endpoint the service user authenticates against (with or without /v3)."),
		k("auth_type", String, "", "Authentication plugin of the service user; only password is supported."),
		k("username", String, "", "Service user name."),
		pw,
		k("project_name", String, "", "Project the service user's token is scoped to."),
		k("user_domain_name", String, "Default", "Domain of the service user."),
		k("project_domain_name", String, "Default", "Domain of the service user's project."),
		k("region_name", String, "", "Region of the Identity service."),
		k("token_cache_time", Int, "300", "Seconds a validated token is trusted without asking Keystone again "+
			"(never past its expiry); -1 disables caching."),
		k("memcached_servers", List, "", "Accepted for compatibility; tokens are cached in-process."),
		k("service_token_roles_required", Bool, "false", "Require the service roles on service tokens."),
		k("insecure", Bool, "false", "Skip TLS certificate verification towards Keystone."),
		k("cafile", String, "", "PEM file of CA certificates for verifying Keystone."),
		k("http_connect_timeout", Int, "", "Timeout in seconds for requests to Keystone; unset uses the built-in default."),
	}
}

func midonetOptions() []Option {
	m := func(name string, t Type, def, help string) Option {
		return Option{Group: GroupMidonet, Name: name, Type: t, Default: def, Help: help}
	}
	pw := m("password", String, "passw0rd", "MidoNet admin password.")
	pw.Secret = true
	return []Option{
		m("midonet_uri", String, "http://localhost:8080/midonet-api", "MidoNet API URI (client = rest): where the API "+
			"server reaches the cluster's REST endpoint. Unset in `midonet serve`, the cluster of the same process."),
		m("cluster_rest_bind_host", String, "127.0.0.1", "Address the cluster's REST endpoint (/midonet-api, client = rest) "+
			"listens on; it is never served on the Neutron API port. A non-loopback address needs a password other than "+
			"the default (or empty) one."),
		m("cluster_rest_port", Int, "8080", "Port of the cluster's REST endpoint, the port of the default midonet_uri. "+
			"Unset in `midonet serve` whose midonet_uri is unset too, a free port is chosen."),
		m("cluster_rest_token_ttl", Int, "3600", "Seconds a login token of the cluster's REST endpoint stays valid; "+
			"the REST client logs in again when its token is refused."),
		m("cluster_rest_max_tokens", Int, "1000", "Login tokens the cluster's REST endpoint keeps at most; a login beyond "+
			"that evicts the oldest token."),
		m("username", String, "admin", "MidoNet admin user name."),
		pw,
		m("project_id", String, "77777777-7777-7777-7777-777777777777", "Project the MidoNet admin user belongs to."),
		m("tunnel_protocol", String, "vxlan", "Tunnel protocol between hosts: vxlan or gre."),
		m("cluster_ip", String, "localhost", "Address of the cluster service."),
		m("cluster_port", Int, "8088", "Port of the cluster service (a string in upstream, a number here)."),
		m("client", String, "midonet.neutron.client.api.MidonetApiClient", "How the plugin reaches the cluster; "+
			"the upstream class names are accepted (the API client or the task-journal client)."),
		m("etcd_endpoints", List, "", "etcd endpoints of the network state database; empty runs an embedded etcd."),
		m("nsdb_quota_bytes", Int, "0", "Size the embedded etcd may grow to before it raises its NOSPACE alarm and refuses "+
			"writes (0: etcd's default, 2 GiB); `midonet db-manage nsdb-compact` gives the space back."),
		m("apply_timeout", Int, "10", "Seconds an API write waits for the cluster to apply it."),
		m("host_lease_ttl", Int, "10", "Seconds a host (and the ports it plugged) stays alive after its agent stops answering."),
		m("cluster_lease_ttl", Int, "10", "Seconds a stopped or cut-off cluster keeps its leadership before a standby cluster takes over."),
		m("packet_log_dir", String, "/var/log/midolman/logging", "Where an agent with a datapath writes firewall and security-group "+
			"log lines (fw-<firewall log id>.log, sg-<log id>.log; seed 8.2.4); empty: no packet logs."),
		m("packet_log_max_bytes", Int, "10485760", "Size past which a packet log file is rotated (name.1, name.2, ...)."),
		m("packet_log_backups", Int, "5", "Rotated packet log files kept per log."),
		m("packet_log_queue", Int, "8192", "Log lines buffered between the packet path and the writer; when full, lines are dropped and counted."),
		m("tunnel_port", Int, "4789", "UDP port of the VXLAN tunnels between the datapaths of member hosts."),
		m("datapath", String, "none", "How an agent moves the packets of the ports bound to its host: afpacket (a packet "+
			"socket per bound interface; frames are simulated and forwarded) or none (control plane only: simulation and trace)."),
		m("reconcile_interval", Int, "300", "Seconds between comparisons of the Neutron database with the NSDB (and, with the REST client, repairs); one also runs at start."),
	}
}

func ml2Options() []Option {
	o := func(group, name string, t Type, def, help string) Option {
		return Option{Group: group, Name: name, Type: t, Default: def, Help: help}
	}
	return []Option{
		// The [ml2] defaults are this product's (MidoNet only), not neutron's.
		o(GroupML2, "type_drivers", List, "midonet,uplink", "Network type drivers to load."),
		o(GroupML2, "tenant_network_types", List, "midonet", "Network types for project networks, in order of preference."),
		o(GroupML2, "mechanism_drivers", List, "midonet", "Mechanism drivers, in order."),
		o(GroupML2, "extension_drivers", List, "port_security", "Extension drivers, in order."),
		o(GroupML2, "external_network_type", String, "", "Type of external networks created without provider "+
			"attributes; empty means the first tenant network type."),
		o(GroupML2, "path_mtu", Int, "0", "MTU of the path overlay traffic takes; 0 means global_physnet_mtu."),
		o(GroupML2, "physical_network_mtus", List, "", "Per physical network MTUs as physnet:mtu."),
		o(GroupML2, "overlay_ip_version", Int, "4", "IP version of overlay tunnel endpoints: 4 or 6."),
		o(GroupML2Flat, "flat_networks", List, "*", "Physical networks flat networks may use; * means any."),
		o(GroupML2VLAN, "network_vlan_ranges", List, "", "physnet or physnet:min:max entries for VLAN networks."),
		o(GroupML2VXLAN, "vni_ranges", List, "", "min:max VXLAN VNI ranges for project networks."),
		o(GroupML2GRE, "tunnel_id_ranges", List, "", "min:max GRE tunnel id ranges for project networks."),
	}
}

func quotaOptions() []Option {
	q := func(name, def, what string) Option {
		return Option{Group: GroupQuotas, Name: name, Type: Int, Default: def,
			Help: fmt.Sprintf("Number of %s a project may have; negative means unlimited.", what)}
	}
	return []Option{
		q("default_quota", "-1", "resources of a kind without its own quota option"),
		q("quota_network", "100", "networks"),
		q("quota_subnet", "100", "subnets"),
		q("quota_port", "500", "ports"),
		q("quota_router", "10", "routers"),
		q("quota_floatingip", "50", "floating IPs"),
		q("quota_security_group", "10", "security groups"),
		q("quota_security_group_rule", "100", "security group rules"),
		q("quota_rbac_policy", "10", "RBAC policies"),
		q("quota_firewall_group", "10", "FWaaS v2 firewall groups"),
		q("quota_firewall_policy", "10", "FWaaS v2 firewall policies"),
		q("quota_firewall_rule", "100", "FWaaS v2 firewall rules"),
		q("quota_firewall", "10", "FWaaS v1 firewalls"),
		q("quota_firewall_policy_v1", "10", "FWaaS v1 firewall policies"),
		q("quota_firewall_rule_v1", "100", "FWaaS v1 firewall rules"),
		q("quota_firewall_log", "10", "firewall logs (logging-resource)"),
		q("quota_logging_resource", "10", "logging resources (logging-resource)"),
		q("quota_log", "10", "network logs (Neutron's logging API)"),
		{Group: GroupQuotas, Name: "quota_driver", Type: String,
			Default: "neutron.db.quota.driver_nolock.DbQuotaNoLockDriver",
			Help:    "Quota driver; accepted for compatibility, quotas are always kept in the database."},
		{Group: GroupQuotas, Name: "track_quota_usage", Type: Bool, Default: "true",
			Help: "Track resource usage in the database."},
	}
}

func policyOptions() []Option {
	p := func(name string, t Type, def, help string) Option {
		return Option{Group: GroupOsloPolicy, Name: name, Type: t, Default: def, Help: help}
	}
	return []Option{
		p("policy_file", String, "policy.yaml", "Policy file (YAML or JSON) overriding the default rules."),
		p("policy_dirs", List, "policy.d", "Directories of further policy files; missing ones are ignored."),
		p("policy_default_rule", String, "default", "Rule used when a policy has no rule of its own."),
		p("enforce_scope", Bool, "false", "Reject tokens whose scope does not match the policy's scope types."),
		p("enforce_new_defaults", Bool, "false", "Use only the new (role based) default rules, not the deprecated ones."),
	}
}

// limitOptions bound what one caller can make the server hold: request bodies, the time a
// request may take to arrive, and the disk space writes may use.
func limitOptions() []Option {
	d := func(name string, t Type, def, help string) Option {
		return Option{Group: DefaultGroup, Name: name, Type: t, Default: def, Help: help}
	}
	return []Option{
		{Group: GroupOsloMiddleware, Name: "max_request_body_size", Type: Int, Default: "1048576",
			Help: "Largest request body in bytes; a larger one is answered 413 before it is read. " +
				"oslo.middleware's default is 114688, but Neutron's pipeline does not load that " +
				"middleware; 1 MiB takes a bulk create of about 4,000 ports."},
		d("max_request_body_memory", Int, "67108864", "Bytes of request bodies the API server holds at once, "+
			"over all requests; a body that would go past it is refused with 503 instead of being buffered."),
		d("request_header_timeout", Int, "30", "Seconds a client has to send a request's headers; 0 means no limit."),
		d("request_read_timeout", Int, "60", "Seconds a client has to send a whole request, headers and body; "+
			"a slower upload is cut off (408); 0 means no limit."),
		d("min_free_disk_mb", Int, "128", "MiB of free disk space kept under the embedded databases (the SQLite file's "+
			"directory and the embedded etcd's): below it, writes are refused with 503 until space is freed, "+
			"since etcd stops the process when a commit fails on a full disk. etcd preallocates its log in 64 MB "+
			"segments; 0 turns the guard off."),
		d("client_socket_timeout", Int, "900", "Seconds an idle keep-alive client connection stays open "+
			"(oslo.service's option and default)."),
	}
}
