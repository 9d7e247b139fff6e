/**
 * The contract between the runtime and every {@code dbx} command.
 *
 * <p>A command is an OSGi service implementing {@link io.eventdbx.command.api.DbxCommand}. The same service
 * instance serves the interactive Gogo shell (as {@code dbx:<name>}), commands forwarded by the launcher over
 * the control socket, and one-shot commands run in an embedded runtime: there is exactly one implementation
 * per command. Only JDK types appear in this package so that any bundle can implement it without pulling in a
 * third-party dependency.
 */
@Export
@Version("2.0.0")
package io.eventdbx.command.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
