// Package keystone holds end-to-end authorization tests: the real midonet
// binary with auth_strategy = keystone, a real Keystone (keystone-up.sh), and
// gophercloud as the client, authenticating with passwords and finding the
// networking endpoint in the Keystone catalog the way an OpenStack user does.
//
// The tests never skip unless MIDONET_TEST_KEYSTONE=0 (see
// internal/testutil/keystone).
package keystone
