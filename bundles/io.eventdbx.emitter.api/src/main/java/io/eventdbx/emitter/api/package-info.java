/**
 * The plugin SPI of EventDBX. An {@link io.eventdbx.emitter.api.Emitter} takes committed events as
 * {@link io.eventdbx.emitter.api.Envelope}s and answers with a {@link io.eventdbx.emitter.api.Delivery}; it never
 * retries on its own: the dispatcher owns delivery (a durable cursor over the global log per plugin instance, a
 * durable retry set, backoff, dead letters, order per aggregate). A bundle adds an emitter type by registering an
 * {@link io.eventdbx.emitter.api.EmitterFactory}; {@link io.eventdbx.emitter.api.PluginAdmin} is what the dispatcher
 * offers the {@code dbx plugin} and {@code dbx queue} commands. Delivery is at least once: receivers drop duplicates
 * by {@code metadata.event_id}.
 */
@Export
@Version("1.2.0")
package io.eventdbx.emitter.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
