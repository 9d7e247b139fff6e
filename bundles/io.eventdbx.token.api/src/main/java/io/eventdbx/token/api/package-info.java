/**
 * Tokens and authorization. A {@link io.eventdbx.token.api.TokenService} issues signed tokens and turns a
 * presented token into a {@link io.eventdbx.token.api.Principal} (or refuses it); a principal is allowed an
 * {@link io.eventdbx.token.api.Actions action} on a resource ({@code aggregate:<type>:<id>}) when both are
 * in its grant. JDK types only.
 */
@Export
@Version("1.3.0")
package io.eventdbx.token.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
