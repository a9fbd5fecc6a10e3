package io.datastorage.core.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the violations of one request, for every endpoint alike: the first
 * {@value #MAX_REPORTED_ERRORS} are listed (so a hostile request cannot make the answer larger
 * than itself), every one is counted, and the count is what the answer reports.
 *
 * <p>Not thread-safe; one instance per request.
 */
public final class FieldErrors {
    public static final int MAX_REPORTED_ERRORS = 100;

    private final List<FieldError> list = new ArrayList<>();
    private int count;

    public void add(String field, String message) {
        add(new FieldError(field, message));
    }

    public void add(FieldError error) {
        count++;
        if (list.size() < MAX_REPORTED_ERRORS) {
            list.add(error);
        }
    }

    /** Every violation added, listed or not. */
    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** @throws AuditValidationException with the listed violations and the real count, if there is any */
    public void throwIfAny() {
        if (count == 0) {
            return;
        }
        List<FieldError> reported = new ArrayList<>(list);
        if (count > list.size()) {
            reported.add(new FieldError("", (count - list.size()) + " more error(s) not listed"));
        }
        throw new AuditValidationException(reported, count);
    }
}
