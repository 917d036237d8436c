// Package ui holds the browser tests of the topology page (internal/ui): the real midonet
// binary, Debian's headless chromium driven with chromedp, and the Neutron API to build
// what the page must show. They check the nodes and edges of a two-network router topology,
// that a port created through the API appears without a reload, that a trace a security
// group drops highlights the group (and a trace to a floating IP shows its NAT), that a
// click shows a port's document and MidoNet objects, that a member of one Keystone project
// logging in through the form does not see another project's network, that the page of a
// separate `midonet api` follows the remote cluster, and how long the page takes to draw a
// thousand ports. A test fails if the page throws or its Content-Security-Policy refuses
// anything.
//
// They need chromium (`apt-get install chromium`, scripts/install-test-deps.sh) and fail,
// never skip, without it; MIDONET_TEST_CHROMIUM names another binary. Screenshots go to
// the test's artifact directory (`go test -artifacts -outputdir DIR ./test/ui`).
package ui
