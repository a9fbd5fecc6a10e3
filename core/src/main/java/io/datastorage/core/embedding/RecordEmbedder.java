package io.datastorage.core.embedding;

import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.error.DatastorageException;
import io.datastorage.core.store.NewRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Embeds records for the write path and for the embedding repair. An embedder failure never fails
 * a write: the records are returned without vectors, stored with their embedding pending, and
 * embedded later by {@link io.datastorage.core.repair.EmbeddingRepairJob}. Each failed call is
 * told to the {@link FailureListener} (the server counts them as
 * {@code datastorage_embedding_failures_total}).
 *
 * <p>Not final, so that a test can stand in for the write path's embedding step.
 */
public class RecordEmbedder {
    private static final Logger log = LoggerFactory.getLogger(RecordEmbedder.class);
    /** Most of a write's remaining time kept for the database write; see {@link #embeddingBudget}. */
    static final Duration MAX_WRITE_RESERVE = Duration.ofSeconds(10);

    /** Told of every embedding call that failed; its records are stored with the embedding pending. */
    @FunctionalInterface
    public interface FailureListener {
        FailureListener NONE = texts -> { };

        /** One call embedding {@code texts} texts failed. Must not throw. */
        void failed(int texts);
    }

    private final Embedder embedder;
    private final FailureListener failures;

    public RecordEmbedder(Embedder embedder, FailureListener failures) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.failures = Objects.requireNonNull(failures, "failures");
    }

    /**
     * The drafts with their vectors, or without when the embedder failed or could not answer
     * within its share of the deadline: what is left of it minus a reserve for the database write,
     * {@link #embeddingBudget}. So an embedder that is slow or down costs the write its vectors
     * (embedded later), not its record; only a deadline that passes anyway stops the write, in
     * the coordinator. When the deadline has already passed, or the request was cancelled, no
     * embedding is attempted (the coordinator refuses the write).
     */
    public List<NewRecord> embed(List<AuditDraft> drafts, Deadline deadline) {
        List<float[]> vectors = null;
        if (!deadline.expired()) {
            List<String> texts = drafts.stream().map(d -> EmbeddingText.of(d.kind(), d.document())).toList();
            vectors = embedTexts(texts, embeddingBudget(deadline.remaining()));
        }
        List<NewRecord> records = new ArrayList<>(drafts.size());
        for (int i = 0; i < drafts.size(); i++) {
            records.add(new NewRecord(drafts.get(i), vectors == null ? null : vectors.get(i)));
        }
        return records;
    }

    /** Vectors for the texts of stored documents, or null when the embedder failed. */
    public List<float[]> embedDocuments(List<AuditKind> kinds, List<Map<String, Object>> documents) {
        List<String> texts = new ArrayList<>(documents.size());
        for (int i = 0; i < documents.size(); i++) {
            texts.add(EmbeddingText.of(kinds.get(i), documents.get(i)));
        }
        return embedTexts(texts, Embedder.NO_TIME_LIMIT);
    }

    /**
     * The embedder's share of the time a write has left: all of it but a reserve for the database
     * write, the smaller of {@link #MAX_WRITE_RESERVE} and a third of it. With the default 30 s
     * deadline that is 20 s for the embedder and 10 s for PostgreSQL; with a short deadline the
     * database still keeps a third.
     */
    static Duration embeddingBudget(Duration remaining) {
        Duration third = remaining.dividedBy(3);
        Duration reserve = third.compareTo(MAX_WRITE_RESERVE) < 0 ? third : MAX_WRITE_RESERVE;
        return remaining.minus(reserve);
    }

    private List<float[]> embedTexts(List<String> texts, Duration timeLimit) {
        try {
            return embedder.embed(texts, timeLimit);
        } catch (DatastorageException e) {
            failed(texts.size());
            log.warn("Embedding {} text(s) failed ({}); storing the record(s) with the embedding pending",
                    texts.size(), e.getMessage());
            return null;
        } catch (RuntimeException e) {
            // Not the embedder's way of failing, so a defect; the record is still worth keeping.
            failed(texts.size());
            log.error("Embedding {} text(s) failed unexpectedly; storing the record(s) with the embedding pending",
                    texts.size(), e);
            return null;
        }
    }

    private void failed(int texts) {
        try {
            failures.failed(texts);
        } catch (RuntimeException e) {
            // A metric that fails must not turn a kept record into a failed write.
            log.warn("The embedding failure listener failed", e);
        }
    }
}
