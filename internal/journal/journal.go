// Package journal appends tasks to midonet_tasks inside the transaction of the Neutron change
// they describe (the outbox pattern), so no row changes without its task and no task exists
// without its change. The cluster consumes them in id order.
package journal

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/midonet-go/midonet/internal/db"
)

// Task types.
const (
	Create = "CREATE"
	Update = "UPDATE"
	Delete = "DELETE"
)

// secretKeys are never written to a task.
var secretKeys = []string{"password", "psk", "auth_key"}

// Append writes one task. dataType is the MidoNet name (NETWORK, SUBNET, PORT, ...), data the
// resource as the API shows it (nil for deletes).
func Append(ctx context.Context, tx *db.Tx, typ, dataType, resourceID, tenantID, txnID string, data map[string]any) error {
	clean := scrub(data)
	b, err := json.Marshal(clean)
	if err != nil {
		return fmt.Errorf("journal: encode %s %s: %w", dataType, resourceID, err)
	}
	if clean == nil {
		b = []byte("{}")
	}
	_, err = tx.Exec(ctx, `INSERT INTO midonet_tasks (type, data_type, resource_id, tenant_id, transaction_id, data, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, typ, dataType, resourceID, tenantID, txnID, string(b), time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"))
	if err != nil {
		return fmt.Errorf("journal: append %s %s %s: %w", typ, dataType, resourceID, err)
	}
	return nil
}

// DataType maps a collection to MidoNet's task data type name.
func DataType(collection string) string {
	switch collection {
	case "security_groups":
		return "SECURITYGROUP"
	case "security_group_rules":
		return "SECURITYGROUPRULE"
	case "floatingips":
		return "FLOATINGIP"
	}
	return strings.ToUpper(strings.TrimSuffix(collection, "s"))
}

func scrub(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		secret := false
		for _, s := range secretKeys {
			if strings.Contains(strings.ToLower(k), s) {
				secret = true
			}
		}
		if secret {
			continue
		}
		if sub, ok := v.(map[string]any); ok {
			v = scrub(sub)
		}
		out[k] = v
	}
	return out
}
