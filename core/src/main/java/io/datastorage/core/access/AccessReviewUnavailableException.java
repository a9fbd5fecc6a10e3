package io.datastorage.core.access;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.TransientException;

/**
 * Whoever vouches for callers (the JWKS endpoint, the Kubernetes API server) could not answer, so
 * a token or an access could not be reviewed. The caller is neither authenticated nor refused: the
 * answer is 503 with Retry-After, never 401 or 403, so a client does not drop a valid token.
 */
public class AccessReviewUnavailableException extends TransientException {
    public AccessReviewUnavailableException(String message, Throwable cause) {
        super(Component.IDENTITY_PROVIDER, message, cause);
    }
}
