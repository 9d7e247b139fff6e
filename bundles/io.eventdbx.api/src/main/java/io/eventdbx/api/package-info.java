/**
 * The client-facing contract of EventDBX: the {@link io.eventdbx.api.EventStore} service, the records it
 * returns and the errors it raises. Payloads and state are JSON text in the canonical form of
 * {@code docs/integrity.md}; hashes and roots are lower-case hex. JDK types only.
 */
@Export
@Version("1.8.0")
package io.eventdbx.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
