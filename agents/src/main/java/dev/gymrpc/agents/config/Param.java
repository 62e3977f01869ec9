package dev.gymrpc.agents.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes one hyperparameter of an algorithm's config record, on the record component itself: the
 * only place its documentation and allowed range are written. {@link ConfigSchema} reads these to list
 * the field (ListAlgorithms, {@code gymrpc train --help}), to parse it from the wire or the command
 * line, and to validate every config before a run starts.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface Param {

    /** One line: what the field does (literature name first where there is one). */
    String doc();

    /** Smallest allowed value of a number (every entry of a list of ints). */
    double min() default Double.NEGATIVE_INFINITY;

    /** Largest allowed value of a number. */
    double max() default Double.POSITIVE_INFINITY;

    /** Whether {@link #min()} itself is excluded ({@code > min}). */
    boolean minExclusive() default false;

    /** Whether {@link #max()} itself is excluded ({@code < max}). */
    boolean maxExclusive() default false;

    /** Whether infinite values are allowed (e.g. a clip bound that is off at -infinity). */
    boolean allowInfinite() default false;

    /** Name on the wire and the command line; default: the component's name in snake_case. */
    String name() default "";

    /**
     * On a nested record component: list its fields without the dotted prefix, as if they were this
     * record's own. For a variant of an algorithm that embeds the original's whole config (soft PPO embeds
     * {@code PpoConfig}): its fields keep their names and docs, written once.
     */
    boolean inline() default false;
}
