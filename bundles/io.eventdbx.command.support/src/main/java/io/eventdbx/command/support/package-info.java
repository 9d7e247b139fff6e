/**
 * Shared machinery for {@code dbx} commands: parse the arguments of a picocli-annotated command object, run
 * it, print its result as text or JSON, and turn every failure into a clear message and an exit code.
 *
 * <p>Signatures use JDK types only; picocli stays an implementation detail of the commands that use it.
 */
@Export
@Version("1.1.0")
package io.eventdbx.command.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
