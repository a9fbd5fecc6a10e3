package io.datastorage.core.error;

import java.util.Objects;

/**
 * Every failure this service reports on purpose. It answers two questions and no more:
 * <em>can a retry of the same request succeed?</em> — by its branch, {@link TransientException}
 * or {@link PermanentException}, and nothing else (no flag, no list of class names) — and
 * <em>what failed?</em> — by its {@link #component()}.
 *
 * <p>A caller that has to decide asks the branch, and the compiler checks that it decided for both:
 * <pre>{@code
 * switch (failure) {
 *     case TransientException t -> retryLater(t);
 *     case PermanentException p -> giveUp(p);
 * }
 * }</pre>
 * Subclasses stay free to say more (a record id, the list of bad fields); a caller that needs such
 * detail matches the subclass, never to decide whether to retry.
 *
 * <p>The message names the component and its state, e.g. {@code PostgreSQL unavailable while
 * committing (SQLSTATE 08006)} or {@code vector index: circuit breaker open, calls resume within 30 s}:
 * {@link #named(Component, String)} puts the component in front of a text that does not name it.
 * A {@link Component#REQUEST} failure is the exception: its message is written for the client.
 *
 * <p>Sealed with exactly two branches; the branches are abstract and non-sealed, so each module
 * adds its own failures (the branches live in this package because a sealed class outside a named
 * module may only permit classes of its own package).
 */
public sealed abstract class DatastorageException extends RuntimeException
        permits TransientException, PermanentException {
    private final Component component;

    /** @param message the state of the component, naming it (see {@link #named(Component, String)}) */
    DatastorageException(Component component, String message, Throwable cause, boolean writableStackTrace) {
        super(message, cause, true, writableStackTrace);
        this.component = Objects.requireNonNull(component, "component");
    }

    /** What failed. */
    public Component component() {
        return component;
    }

    /**
     * {@code state} as a message that names {@code component}: unchanged if it already names it
     * ({@link Component#isNamedIn}) or is a {@link Component#REQUEST} failure's text for the client, else
     * {@code <component>: <state>}.
     */
    public static String named(Component component, String state) {
        String text = Objects.requireNonNullElse(state, "failed");
        if (component == Component.REQUEST || component.isNamedIn(text)) {
            return text;
        }
        return component.label() + ": " + text;
    }
}
