/**
 * The one door every surface calls (REST, the launcher's commands, and later GraphQL, gRPC, plugins and
 * replication): {@link io.eventdbx.access.api.EventAccess} authorizes the caller, attributes its writes, filters
 * listings, applies page limits and counts write allowances, and refuses with a {@link io.eventdbx.access.api.Refusal}
 * whose stable {@link io.eventdbx.access.api.Refusal.Code} each surface maps to its own status in one table.
 */
@Export
@Version("1.2.0")
package io.eventdbx.access.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
