package io.datastorage.auth.kubernetes;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;

/**
 * The API server did not authenticate the bearer token for our audience: not authenticated at all
 * (expired, revoked, malformed, bound to a deleted pod) or issued for another audience (a default
 * API-server token replayed). The caller is unauthenticated (401); the same token will not be
 * accepted again. The message is written for the client and never contains the token.
 */
public class InvalidTokenException extends PermanentException {
    public InvalidTokenException(String message) {
        super(Component.REQUEST, message, null, false);
    }
}
