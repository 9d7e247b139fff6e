package io.eventdbx.emitter.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Describes one element of a {@link ConfiguredEmitterFactory}'s configuration type as a command option. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface EmitterOption {

    /**
     * One line for {@code dbx plugin types} and usage.
     *
     * @return the description
     */
    String description();

    /**
     * Whether its values are secrets, never shown in full.
     *
     * @return true for a secret
     */
    boolean secret() default false;
}
