package io.eventdbx.emitter.api;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the dispatcher offers the {@code dbx plugin} and {@code dbx queue} commands: plugin instances, their state and
 * their queue. Changes apply at once to a running server and are kept in {@code <data-dir>/plugins.json} (owner
 * only). Every method throws {@link PluginException} with a message for an operator when the request cannot be done.
 */
@ProviderType
public interface PluginAdmin {

    /**
     * The emitter types that are installed now.
     *
     * @return type word to its factory's description and options
     */
    List<TypeInfo> types();

    /**
     * Creates an instance or replaces the options of one of the same type. A new instance is enabled unless
     * {@code disabled}; an existing one keeps its state unless {@code disabled}.
     *
     * @param type the emitter type
     * @param name the instance's name
     * @param options option to values, checked by the type's factory
     * @param disabled create or turn it disabled
     * @return the instance
     */
    PluginInfo configure(String type, String name, Map<String, List<String>> options, boolean disabled);

    /**
     * Replaces the values of one option of an instance and keeps the others (secrets included, which no caller sees):
     * what {@code dbx plugin map} does to a sink's {@code map} option.
     *
     * @param name the instance's name
     * @param option an option its type declares
     * @param values the option's new values (none removes it)
     * @return the instance
     * @since 1.2
     */
    PluginInfo setOption(String name, String option, List<String> values);

    /**
     * Turns an instance on after checking that its receiver can be reached. A new instance starts at the end of the
     * log (events committed from now on); one enabled before continues from its cursor.
     *
     * @param name the instance
     * @return the instance
     */
    PluginInfo enable(String name);

    /**
     * Turns an instance off: it keeps its cursor and queue, and deliveries wait.
     *
     * @param name the instance
     * @return the instance
     */
    PluginInfo disable(String name);

    /**
     * Removes a disabled instance with its cursor and queue.
     *
     * @param name the instance
     */
    void remove(String name);

    /**
     * Every instance with its state.
     *
     * @return the instances by name
     */
    List<PluginInfo> list();

    /**
     * Sends one test envelope (aggregate type {@code dbx-test}) through every enabled instance, without the queue.
     *
     * @return instance name to "ok" or why it failed
     */
    Map<String, String> test();

    /**
     * Queues the stored events of one aggregate, or of every aggregate of a type, for one instance again.
     *
     * @param name the instance
     * @param aggregateType the type
     * @param aggregateId the id, or null for every aggregate of the type
     * @return how many events were queued
     */
    long replay(String name, String aggregateType, String aggregateId);

    /**
     * The queue: every pending retry and every dead event, of every instance.
     *
     * @return the entries, by instance and log position
     */
    List<QueueEntry> queue();

    /**
     * Drops every dead event from the queue (pending retries stay).
     *
     * @return how many were dropped
     */
    int clearDead();

    /**
     * Makes dead events pending again, due now.
     *
     * @param eventId only this event (in every instance), or null for all
     * @return how many were made pending
     */
    int retry(String eventId);

    /**
     * Installs a process plugin's binary: unpacks a zip, a tar or a tar.gz (or takes a single binary) from a path or
     * an http(s) URL into {@link PluginLayout#folder}, with its manifest. Refuses a checksum that does not match, an
     * archive entry that would land outside the folder (absolute, {@code ..}, links), and an existing install without
     * {@code force}.
     *
     * @param plugin the plugin id
     * @param version the version
     * @param source a file path or an http(s) URL
     * @param bin the binary's path inside the archive, or null to find it (a file named like the plugin, or the only
     *     executable)
     * @param checksum the source's SHA-256 in hex, or null
     * @param force replace an existing install
     * @return what was installed
     */
    InstalledPlugin install(String plugin, String version, String source, String bin, String checksum, boolean force);

    /**
     * An installed plugin version.
     *
     * @param plugin the plugin id
     * @param version the version
     * @param target this machine's target
     * @param folder where it was unpacked
     * @param binary its binary, inside the folder
     * @param sha256 the source's SHA-256 in hex
     */
    record InstalledPlugin(String plugin, String version, String target, String folder, String binary, String sha256) {}

    /**
     * An installed emitter type.
     *
     * @param type the type word
     * @param description what it does
     * @param options its options
     */
    record TypeInfo(String type, String description, List<EmitterFactory.Option> options) {}

    /**
     * A plugin instance.
     *
     * @param name its name
     * @param type its emitter type
     * @param enabled whether it is turned on
     * @param status {@code running}, {@code disabled}, {@code waiting} (its type is not installed) or {@code failing}
     *     (its last delivery failed)
     * @param options its options, secrets masked
     * @param position the next log position it looks at
     * @param lag committed events it has not looked at yet
     * @param pending events waiting for a retry
     * @param dead events given up on
     * @param lastError the last failure, or null
     */
    record PluginInfo(
            String name,
            String type,
            boolean enabled,
            String status,
            Map<String, List<String>> options,
            long position,
            long lag,
            long pending,
            long dead,
            String lastError) {}

    /**
     * An event in an instance's queue.
     *
     * @param plugin the instance
     * @param position its log position
     * @param eventId its event id
     * @param aggregateType its aggregate type
     * @param aggregateId its aggregate id
     * @param version its version
     * @param state {@code pending} or {@code dead}
     * @param attempts the deliveries tried
     * @param nextAttempt when it is tried next (RFC 3339), null when dead
     * @param lastError why the last attempt failed, or null
     */
    record QueueEntry(
            String plugin,
            long position,
            String eventId,
            String aggregateType,
            String aggregateId,
            long version,
            String state,
            int attempts,
            String nextAttempt,
            String lastError) {}
}
