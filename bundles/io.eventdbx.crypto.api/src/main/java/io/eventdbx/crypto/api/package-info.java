/**
 * Encryption at rest. A {@link io.eventdbx.crypto.api.DataProtector} seals data under the key of a scope (one
 * key per aggregate, so that one aggregate's data can be made unreadable by destroying its key) with
 * authenticated encryption bound to associated data; {@link io.eventdbx.crypto.api.KeyManagement} sets and
 * rotates the master key and the data-encryption key. JDK types only.
 */
@Export
@Version("1.0.0")
package io.eventdbx.crypto.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
