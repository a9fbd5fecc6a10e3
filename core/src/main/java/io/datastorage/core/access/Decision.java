package io.datastorage.core.access;

import java.util.Objects;

/**
 * An access policy's answer.
 *
 * @param allowed whether the subject may take the action
 * @param reason  why, in words an operator can act on (never a token or a secret); never null
 */
public record Decision(boolean allowed, String reason) {
    public Decision {
        Objects.requireNonNull(reason, "reason");
    }

    public static Decision allow(String reason) {
        return new Decision(true, reason);
    }

    public static Decision deny(String reason) {
        return new Decision(false, reason);
    }
}
