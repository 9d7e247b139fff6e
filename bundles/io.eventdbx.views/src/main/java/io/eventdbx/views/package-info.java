/**
 * The JSON shapes of the API's records ({@link io.eventdbx.views.RecordViews}): one definition for the command
 * line's {@code --json} output and the network surfaces, so a field is named the same everywhere. Views are
 * plain maps, lists, strings, numbers and booleans in a stable key order. JDK types only.
 */
@Export
@Version("1.1.0")
package io.eventdbx.views;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
