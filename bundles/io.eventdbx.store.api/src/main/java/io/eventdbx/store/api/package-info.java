/**
 * The storage engine SPI: an ordered map from byte keys to byte values with atomic, optionally synchronous
 * batches. The event store core builds everything else (events, heads, indexes, the global log) on it.
 * Keys compare as unsigned bytes, lexicographically. JDK types only.
 */
@Export
@Version("1.4.0")
package io.eventdbx.store.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
