package io.eventdbx.command.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.annotation.bundle.Capability;

/**
 * Declares, in the bundle manifest, that the annotated class provides the {@code dbx} command named by
 * {@link #value()}. The runtime reads these declarations to tell a command that is still starting (its bundle
 * is active but its component is waiting for configuration) from one that does not exist.
 */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@Capability(namespace = CommandCapability.NAMESPACE, attribute = CommandCapability.NAMESPACE + "=${#value}")
public @interface CommandCapability {

    /** The capability namespace. */
    String NAMESPACE = "eventdbx.command";

    /**
     * The command word.
     *
     * @return the command word, equal to the service's {@link DbxCommand#NAME_PROPERTY}
     */
    String value();
}
