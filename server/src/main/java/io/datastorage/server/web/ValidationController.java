package io.datastorage.server.web;

import io.datastorage.core.job.LeaseHeldElsewhereException;
import io.datastorage.server.migration.MigrationAdmin;
import io.datastorage.server.migration.MigrationValidation;
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

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * The migration's sync validation: {@code POST /api/v1/admin/migration/validate} runs one (or joins
 * the one under way on this replica) and answers its report when it ends; {@code ?repair=true} puts
 * every record the current phase's primary holds and the other store lacks onto the other store.
 * {@code GET} shows the progress of a run under way here and the last report of any replica. While
 * another replica validates, a {@code POST} answers 409 {@code validate-elsewhere} at once. Without a
 * legacy store both answer 404 {@code migration-not-configured}.
 */
@RestController
@RequestMapping("/api/v1/admin/migration/validate")
public class ValidationController {
    /** {@code null} without a legacy store. */
    private final MigrationValidation validation;

    public ValidationController(ObjectProvider<MigrationValidation> validation) {
        this.validation = validation.getIfAvailable();
    }

    @PostMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> validate(HttpServletRequest request) {
        MigrationValidation job = validation();
        // the one query parameter, repair=true|false once (absent: false); nothing is read from a body
        boolean repair = QueryParameters.flag(request, "repair");
        return MigrationAdmin.validation(job.run(repair));
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> status() {
        MigrationValidation job = validation();
        Map<String, Object> body = new LinkedHashMap<>();
        MigrationValidation.Running running = job.running().orElse(null);
        body.put("running", running != null);
        if (running != null) {
            body.put("startedAt", running.startedAt().toString());
            body.put("repair", running.repair());
            Map<String, Object> progress = new LinkedHashMap<>();
            progress.put("windowsDone", running.progress().windowsDone());
            progress.put("windowsTotal", running.progress().windowsTotal());
            progress.put("checked", running.progress().checked());
            body.put("progress", progress);
        }
        body.put("last", job.last().map(MigrationAdmin::validation).orElse(null));
        return body;
    }

    private MigrationValidation validation() {
        if (validation == null) {
            throw new MigrationController.MigrationNotConfiguredException("there is no migration to validate");
        }
        return validation;
    }

    @ExceptionHandler(MigrationController.MigrationNotConfiguredException.class)
    ProblemDetail notConfigured(MigrationController.MigrationNotConfiguredException e) {
        return e.problem();
    }

    /** The run ended without a report: the service is stopping, or another replica took the lease. */
    @ExceptionHandler(CancellationException.class)
    ResponseEntity<ProblemDetail> stopped(CancellationException e) {
        return ProblemResponses.retryLater("unavailable", "The validation stopped before it ended (" + e.getMessage()
                + "); what it repaired stays repaired. Ask again later.");
    }

    @ExceptionHandler(LeaseHeldElsewhereException.class)
    ProblemDetail elsewhere(LeaseHeldElsewhereException e) {
        return ProblemResponses.problem(HttpStatus.CONFLICT, "validate-elsewhere",
                "Another replica of this service is validating the migration's stores now; its report will be the "
                        + "last one (GET this path). Ask again when it is done.");
    }
}
