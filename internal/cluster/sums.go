package cluster

import (
	"bytes"
	"encoding/json"
	"hash/maphash"
)

// objectSums are the objects one resource owns: "<Kind>/<id>" → the digest of the object's
// JSON as written to the NSDB. The cluster compares a new translation with these digests
// instead of keeping every object's JSON in memory (about 300 bytes an object, twenty
// objects a VM port).
type objectSums map[string]sum

// sum is a 128-bit digest of an object's JSON: two 64-bit maphashes under seeds chosen once
// per process. It is only ever compared within the process; two different encodings
// collide with probability 2⁻¹²⁸.
type sum [2]uint64

var sumSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func sumOf(b []byte) sum {
	return sum{maphash.Bytes(sumSeeds[0], b), maphash.Bytes(sumSeeds[1], b)}
}

// ownerOf reads an object's owner without decoding the rest of the object: the members of
// topology.Meta lead every object's JSON (id, then owner), so the scan stops after the
// second member of a translated object. It returns "" for anything without an owner.
func ownerOf(b []byte) string {
	if owner, ok := ownerFast(b); ok {
		return owner
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return ""
		}
		if k == "owner" {
			var owner string
			if dec.Decode(&owner) != nil {
				return ""
			}
			return owner
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return ""
		}
	}
	return ""
}

// ownerFast reads the owner of an object as the cluster writes it — {"id":"…","owner":"…",
// with neither string escaped — by slicing, without a decoder: start-up reads a million of
// them. ok is false for any other shape (ownerOf then decodes).
func ownerFast(b []byte) (string, bool) {
	rest, ok := bytes.CutPrefix(b, []byte(`{"id":"`))
	if !ok {
		return "", false
	}
	i := bytes.IndexByte(rest, '"')
	if i < 0 || bytes.IndexByte(rest[:i], '\\') >= 0 {
		return "", false
	}
	rest, ok = bytes.CutPrefix(rest[i+1:], []byte(`,"owner":"`))
	if !ok {
		return "", false
	}
	j := bytes.IndexByte(rest, '"')
	if j < 0 || bytes.IndexByte(rest[:j], '\\') >= 0 {
		return "", false
	}
	return string(rest[:j]), true
}
