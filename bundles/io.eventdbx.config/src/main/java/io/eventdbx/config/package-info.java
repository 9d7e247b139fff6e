/**
 * EventDBX configuration: the settings of {@code config.toml}, their validation and defaults, the precedence
 * of command-line flags over environment variables over the file over defaults, where a data directory keeps
 * its files, and safe (atomic, owner-only) persistence.
 *
 * <p>This package is used both by the launcher, outside the OSGi framework, and inside it; it therefore uses
 * only JDK types in its signatures.
 */
@Export
@Version("1.0.0")
package io.eventdbx.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
