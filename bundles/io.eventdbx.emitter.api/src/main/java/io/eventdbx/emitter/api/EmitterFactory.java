package io.eventdbx.emitter.api;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One type of emitter ({@code tcp}, {@code http}, {@code log}, or a third party's), registered as a service by the
 * bundle that brings it: {@code dbx plugin config <type> --name <label> --<option> <value> ...} makes instances of
 * it. When the bundle goes away, its instances' deliveries wait in the queue until it comes back.
 */
@ConsumerType
public interface EmitterFactory {

    /**
     * The type word, as in {@code dbx plugin config <type>}: lower-case letters, digits and {@code -}.
     *
     * @return the type
     */
    String type();

    /**
     * What the type is for, one line for {@code dbx plugin types}.
     *
     * @return the description
     */
    String description();

    /**
     * The options an instance takes (besides {@code --name} and {@code --disable}, which every type has).
     *
     * @return the options, in the order usage lists them
     */
    List<Option> options();

    /**
     * Checks an instance's options and makes the instance. Must not connect anywhere yet ({@link Emitter#check}
     * does that on enable).
     *
     * @param name the instance's name
     * @param options option name (without {@code --}) to its values, only declared options, each required one present
     * @return the instance
     * @throws IllegalArgumentException naming the option and what is wrong with its value
     */
    Emitter create(String name, Map<String, List<String>> options);

    /**
     * One option of an emitter type.
     *
     * @param name the option's name, as in {@code --name value}: lower-case letters, digits and {@code -}
     * @param description one line for usage
     * @param required whether an instance must have it
     * @param repeatable whether it may be given more than once ({@code --header K=V --header ...})
     * @param flag whether it takes no value (a switch such as {@code --https})
     * @param secret whether its values are secrets (a header with a credential, a password): never shown in full
     */
    record Option(
            String name, String description, boolean required, boolean repeatable, boolean flag, boolean secret) {}
}
