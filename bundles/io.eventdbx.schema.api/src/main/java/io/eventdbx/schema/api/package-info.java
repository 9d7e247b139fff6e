/**
 * Schemas. The store asks a {@link io.eventdbx.schema.api.SchemaValidator} to admit every event before it is
 * written; the answer ({@link io.eventdbx.schema.api.Admission}) names the schema version that accepted it, or
 * the refusal ({@link io.eventdbx.schema.api.SchemaViolation}) names the aggregate type, event, field and
 * rule. JDK types only.
 */
@Export
@Version("1.2.0")
package io.eventdbx.schema.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
