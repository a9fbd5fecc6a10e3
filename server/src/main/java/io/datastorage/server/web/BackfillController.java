package io.datastorage.server.web;

import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.FieldError;
import io.datastorage.core.job.LeaseHeldElsewhereException;
import io.datastorage.core.migration.Backfill;
import io.datastorage.core.migration.BackfillDirection;
import io.datastorage.core.migration.BackfillJob;
import io.datastorage.core.migration.BackfillRunningException;
import io.datastorage.server.migration.BackfillService;
import io.datastorage.server.migration.MigrationAdmin;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.stream.Collectors;

/**
 * The migration's backfill: {@code POST /api/v1/admin/migration/backfill} with
 * {@code {"direction": "legacy-to-new" | "new-to-legacy"}} runs one (or joins the run of that
 * direction under way on this replica, or resumes the unfinished one from its checkpoint) and answers
 * its result when it ends; {@code GET} shows the run under way here and the last result of each
 * direction (kept where every replica reads it). One backfill runs at a time: another replica's
 * answers 409 {@code backfill-elsewhere}, the other direction's on this replica 409
 * {@code backfill-running}. Without a legacy store both answer 404 {@code migration-not-configured}.
 */
@RestController
@RequestMapping("/api/v1/admin/migration/backfill")
public class BackfillController {
    /** The largest body: a direction is a few dozen bytes. */
    static final long MAX_BODY = 16 * 1024;

    /** {@code null} without a legacy store. */
    private final BackfillService backfill;
    private final JsonBodies bodies;

    public BackfillController(ObjectProvider<BackfillService> backfill, JsonBodies bodies) {
        this.backfill = backfill.getIfAvailable();
        this.bodies = bodies;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> run(HttpServletRequest request) {
        BackfillService service = service();
        PostRequests.check(request);
        Object tree = bodies.parse(bodies.read(request, MAX_BODY));
        if (!(tree instanceof Map<?, ?> body)) {
            throw new AuditValidationException(List.of(new FieldError("", "must be a JSON object {direction}")));
        }
        List<FieldError> errors = new ArrayList<>();
        BackfillDirection direction = null;
        Object value = body.get("direction");
        String allowed = Arrays.stream(BackfillDirection.values()).map(BackfillDirection::value)
                .collect(Collectors.joining(", "));
        if (value instanceof String text) {
            try {
                direction = BackfillDirection.parse(text);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("direction", "must be one of " + allowed));
            }
        } else {
            errors.add(new FieldError("direction", (value == null ? "is required, one of " : "must be a text, one of ")
                    + allowed));
        }
        for (Object field : body.keySet()) {
            if (!"direction".equals(field)) {
                errors.add(new FieldError(String.valueOf(field), "is not a field of a backfill request (direction)"));
            }
        }
        if (!errors.isEmpty()) {
            throw new AuditValidationException(errors);
        }
        return MigrationAdmin.backfill(service.job().run(direction));
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> status() {
        BackfillService service = service();
        BackfillJob.Status status = service.job().status();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("running", status.running());
        body.put("direction", status.running() ? status.direction().value() : null);
        if (status.running()) {
            Backfill.Progress progress = status.progress();
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("scanned", progress.scanned());
            counts.put("copied", progress.copied());
            counts.put("skipped", progress.skipped());
            counts.put("unreadable", progress.unreadable());
            counts.put("total", progress.total());
            body.put("progress", counts);
        } else {
            body.put("progress", null);
        }
        Map<String, Object> last = new LinkedHashMap<>();
        for (BackfillDirection direction : BackfillDirection.values()) {
            last.put(direction.value(), service.runs().lastBackfill(direction).map(MigrationAdmin::backfill).orElse(null));
        }
        body.put("last", last);
        return body;
    }

    private BackfillService service() {
        if (backfill == null) {
            throw new MigrationController.MigrationNotConfiguredException("there is nothing to backfill");
        }
        return backfill;
    }

    @ExceptionHandler(MigrationController.MigrationNotConfiguredException.class)
    ProblemDetail notConfigured(MigrationController.MigrationNotConfiguredException e) {
        return e.problem();
    }

    @ExceptionHandler(LeaseHeldElsewhereException.class)
    ResponseEntity<ProblemDetail> elsewhere(LeaseHeldElsewhereException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(ProblemResponses.problem(HttpStatus.CONFLICT,
                "backfill-elsewhere", "Another replica of this service is running a backfill now; its progress is on "
                        + "that replica and its result, once it ends, in GET /api/v1/admin/migration/backfill on any."));
    }

    @ExceptionHandler(BackfillRunningException.class)
    ResponseEntity<ProblemDetail> running(BackfillRunningException e) {
        ProblemDetail problem = ProblemResponses.problem(HttpStatus.CONFLICT, "backfill-running",
                "A " + e.running().value() + " backfill runs on this replica now; one backfill runs at a time. "
                        + "Ask again when it has ended.");
        problem.setProperty("running", e.running().value());
        return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
    }

    @ExceptionHandler(CancellationException.class)
    ResponseEntity<ProblemDetail> stopped(CancellationException e) {
        return ProblemResponses.retryLater("unavailable", "The backfill stopped before it ended (" + e.getMessage()
                + "); it resumes from its checkpoint, here or on another replica. Ask again later for its result.");
    }
}
