package io.datastorage.server.web;

import io.datastorage.core.migration.MigrationReads;
import io.datastorage.core.migration.PhaseWatcher;
import io.datastorage.server.migration.MigrationRouting;
import org.springframework.beans.factory.ObjectProvider;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.FieldError;
import io.datastorage.core.audit.FieldErrors;
import io.datastorage.core.audit.Phase;
import io.datastorage.core.embedding.EmbedderUnavailableException;
import io.datastorage.core.embedding.EmbeddingException;
import io.datastorage.core.error.Component;
import io.datastorage.core.error.DatastorageException;
import io.datastorage.core.error.PermanentException;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.search.SearchRequest;
import io.datastorage.core.search.SearchResult;
import io.datastorage.core.search.SemanticSearch;
import io.datastorage.core.store.StoreException;
import io.datastorage.server.config.DatastorageProperties;
import io.datastorage.server.metrics.QueryMetrics;
import io.datastorage.server.metrics.QueryMetrics.Operation;
import io.datastorage.server.metrics.QueryMetrics.Outcome;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/v1/audit/search}: records by meaning, filtered before the top k. Every bad
 * field is named in one 400; an unavailable index degrades the search instead of failing it.
 */
@RestController
public class SearchController {
    private static final Logger log = LoggerFactory.getLogger(SearchController.class);
    private static final Set<String> FIELDS = Set.of("query", "vector", "kinds", "namespace", "phase", "since", "until",
            "topK", "minScore");
    private static final int DEFAULT_TOP_K = 10;

    private final SemanticSearch search;
    private final JsonBodies bodies;
    private final long maxBodyBytes;
    private final Clock clock;
    private final QueryMetrics metrics;
    /** With a migration: whether the new side, which search reads, is complete; {@code null} without one. */
    private final MigrationReads migration;
    private final PhaseWatcher phases;

    public SearchController(SemanticSearch search, JsonBodies bodies, DatastorageProperties properties, Clock clock,
                            QueryMetrics metrics, ObjectProvider<MigrationRouting> migration,
                            ObjectProvider<PhaseWatcher> phases) {
        this.search = search;
        MigrationRouting routing = migration.getIfAvailable();
        this.migration = routing == null ? null : routing.reads();
        this.phases = phases.getIfAvailable();
        this.bodies = bodies;
        this.maxBodyBytes = properties.limits().maxBodySize().toBytes();
        this.clock = clock;
        this.metrics = metrics;
    }

    @PostMapping(path = "/api/v1/audit/search", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> search(HttpServletRequest request) {
        Timer.Sample sample = metrics.start();
        Outcome outcome = Outcome.ERROR;
        try {
            PostRequests.check(request);
            SearchRequest searchRequest;
            try {
                searchRequest = parse(bodies.parse(bodies.read(request, maxBodyBytes)));
            } catch (AuditValidationException e) {
                outcome = Outcome.INVALID;
                throw e;
            }
            refuseUnstorableText(searchRequest);
            SearchResult result = search.search(searchRequest);
            outcome = result.degraded() ? Outcome.DEGRADED : Outcome.OK;
            List<Map<String, Object>> results = new ArrayList<>(result.hits().size());
            for (SearchResult.Hit hit : result.hits()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("score", hit.score());
                entry.put("sameTextCount", hit.sameTextCount());
                entry.put("record", AuditController.recordBody(hit.record()));
                results.add(entry);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("results", results);
            body.put("degraded", result.degraded());
            if (migration != null) {
                // Search always reads PostgreSQL: say whether it holds every record yet.
                Map<String, Object> state = new LinkedHashMap<>();
                state.put("phase", phases.current().phase().name());
                state.put("newSideComplete", migration.newSideComplete());
                body.put("migration", state);
            }
            return body;
        } catch (DatastorageException e) {
            // A permanent failure of the request is the client's (its body, its fields); any other,
            // of either branch, is a component's (the embedder, PostgreSQL) and is answered 503.
            outcome = e instanceof PermanentException && e.component() == Component.REQUEST
                    ? Outcome.INVALID : Outcome.UNAVAILABLE;
            throw e;
        } finally {
            metrics.record(sample, Operation.SEARCH, outcome);
        }
    }

    private SearchRequest parse(Object tree) {
        FieldErrors errors = new FieldErrors();
        if (!(tree instanceof Map<?, ?> body)) {
            throw new AuditValidationException(List.of(new FieldError("", "must be a JSON object")));
        }
        body.keySet().stream().map(String::valueOf).filter(k -> !FIELDS.contains(k)).sorted()
                .forEach(k -> errors.add(new FieldError(ListingParameters.echo(k), "unknown field; allowed: " + String.join(", ", FIELDS.stream().sorted().toList()))));
        String query = null;
        float[] vector = null;
        Object queryValue = body.get("query");
        Object vectorValue = body.get("vector");
        if (queryValue != null && vectorValue != null) {
            errors.add(new FieldError("query", "give either query or vector, not both"));
        } else if (queryValue == null && vectorValue == null) {
            errors.add(new FieldError("query", "required (or vector)"));
        }
        if (queryValue != null) {
            if (!(queryValue instanceof String text) || text.isBlank()
                    || text.codePointCount(0, text.length()) > SearchRequest.MAX_QUERY_LENGTH) {
                errors.add(new FieldError("query", "must be text of 1.." + SearchRequest.MAX_QUERY_LENGTH
                        + " characters (Unicode code points)"));
            } else {
                query = text;
            }
        }
        if (vectorValue != null) {
            vector = vector(vectorValue, errors);
        }
        Set<AuditKind> kinds = EnumSet.noneOf(AuditKind.class);
        Object kindsValue = body.get("kinds");
        if (kindsValue != null) {
            if (!(kindsValue instanceof List<?> names)) {
                errors.add(new FieldError("kinds", "must be an array of kinds: " + AuditKind.allowedPathNames()));
            } else {
                for (Object name : names) {
                    AuditKind.fromPathName(String.valueOf(name)).ifPresentOrElse(kinds::add, () -> errors.add(
                            new FieldError("kinds", "unknown kind '" + ListingParameters.echo(String.valueOf(name))
                                    + "'; one of: " + AuditKind.allowedPathNames())));
                }
            }
        }
        String namespace = text(body, "namespace", errors);
        String phase = body.get("phase") instanceof String text && Phase.parse(text).isPresent() ? text : null;
        if (body.get("phase") != null && phase == null) {
            errors.add(new FieldError("phase", "must be one of: " + Phase.allowed()));
        }
        Instant since = time(body, "since", errors);
        Instant until = time(body, "until", errors);
        if (since != null && until != null && since.isAfter(until)) {
            errors.add(new FieldError("since", "must not be after until (since " + since + ", until " + until + ")"));
        }
        int topK = DEFAULT_TOP_K;
        Object topKValue = body.get("topK");
        if (topKValue != null) {
            if (topKValue instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                    && n.doubleValue() >= 1 && n.doubleValue() <= SearchRequest.MAX_TOP_K) {
                topK = n.intValue();
            } else {
                errors.add(new FieldError("topK", "must be an integer 1.." + SearchRequest.MAX_TOP_K));
            }
        }
        double minScore = 0;
        Object minScoreValue = body.get("minScore");
        if (minScoreValue != null) {
            if (minScoreValue instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= 1) {
                minScore = n.doubleValue();
            } else {
                errors.add(new FieldError("minScore", "must be a number 0..1"));
            }
        }
        errors.throwIfAny();
        return new SearchRequest(query, vector, new IndexFilter(kinds, namespace, phase, since, until), topK, minScore);
    }

    /**
     * Text PostgreSQL cannot hold cannot be compared with what it holds either: a namespace with
     * NUL or an unpaired surrogate would fail the degraded search's query (a 5xx) instead of
     * matching nothing, so it is refused as a record's namespace is.
     */
    private static void refuseUnstorableText(SearchRequest request) {
        String namespace = request.filter().namespace();
        String bad = namespace == null ? null : AuditValidator.unstorableCharacter(namespace);
        if (bad != null) {
            throw new AuditValidationException(List.of(new FieldError("namespace", "must not contain " + bad)));
        }
    }

    /**
     * The query vector, scaled to unit length in double precision before it becomes floats. Only
     * its direction matters to a cosine score, but the index computes in floats: the squares of
     * components like 1e-23 vanish and those of 1e20 overflow, which scored every record 1.0 or
     * 0.0. Scaled first, any vector of finite components (as floats) scores by its direction.
     */
    private float[] vector(Object value, FieldErrors errors) {
        if (value instanceof List<?> items && items.size() == search.dimension()) {
            double[] components = new double[items.size()];
            double largest = 0;
            for (int i = 0; i < components.length; i++) {
                if (!(items.get(i) instanceof Number n) || !Float.isFinite(n.floatValue())) {
                    errors.add(new FieldError("vector", "must hold finite numbers only (at most "
                            + Float.MAX_VALUE + " in magnitude)"));
                    return null;
                }
                components[i] = n.doubleValue();
                largest = Math.max(largest, Math.abs(components[i]));
            }
            if (largest == 0) {
                errors.add(new FieldError("vector", "must not be all zeros"));
                return null;
            }
            double norm = 0;
            for (double c : components) {
                norm += (c / largest) * (c / largest); // scaled by the largest, so nothing overflows or vanishes
            }
            norm = Math.sqrt(norm) * largest;
            float[] vector = new float[components.length];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = (float) (components[i] / norm);
            }
            return vector;
        }
        errors.add(new FieldError("vector", "must be an array of " + search.dimension() + " numbers"));
        return null;
    }

    /** An identifier filter, by the rule of a record's identifiers ({@link AuditValidator#identifierProblem}). */
    private static String text(Map<?, ?> body, String field, FieldErrors errors) {
        Object value = body.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        String problem = AuditValidator.identifierProblem(text);
        if (problem != null) {
            errors.add(new FieldError(field, problem));
            return null;
        }
        return text;
    }

    private Instant time(Map<?, ?> body, String field, FieldErrors errors) {
        Object value = body.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            errors.add(new FieldError(field, "must be " + TimeParameter.FORMS));
            return null;
        }
        try {
            return TimeParameter.parse(text, ListingParameters.echo(text), clock.instant()).instant();
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(field, e.getMessage()));
            return null;
        }
    }

    /**
     * A failure of the embedder, of either branch: without a query vector this search cannot be
     * answered now, while a search by vector still can.
     */
    @ExceptionHandler({EmbedderUnavailableException.class, EmbeddingException.class})
    ResponseEntity<ProblemDetail> embeddingFailed(DatastorageException e) {
        log.warn("Search query could not be embedded: {}", e.getMessage());
        return ProblemResponses.retryLater("embedding-unavailable",
                "The query text could not be embedded now; retry later, or search by vector.");
    }

    @ExceptionHandler(StoreException.class)
    ResponseEntity<ProblemDetail> storeFailed(StoreException e) {
        log.warn("Search could not read PostgreSQL: {}", e.getMessage());
        return ProblemResponses.retryLater("unavailable", "The database is unavailable; retry later.");
    }
}
