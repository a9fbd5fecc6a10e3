package io.datastorage.server.embedding;

import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.embedding.Embedder;
import io.datastorage.core.embedding.EmbeddingException;
import io.datastorage.core.embedding.EmbeddingText;
import io.datastorage.core.store.AuditStore;
import io.datastorage.core.store.NewRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Embeds records on the write path. An embedder failure never fails a write: the records are
 * returned without vectors, stored with their embedding pending, and embedded later by
 * {@link EmbeddingRepairWorker}.
 */
@Component
public class RecordEmbedder {
    private static final Logger log = LoggerFactory.getLogger(RecordEmbedder.class);

    private final Embedder embedder;
    private final Counter failures;

    public RecordEmbedder(EmbeddingPipeline pipeline, MeterRegistry registry, AuditStore store) {
        this.embedder = pipeline.embedder();
        this.failures = Counter.builder("datastorage.embedding.failures")
                .description("Embedding requests that failed; their records were stored with the embedding pending")
                .register(registry);
        Gauge.builder("datastorage.embedding.pending", store, AuditStore::countPendingEmbeddings)
                .description("Stored records whose embedding is still to be computed").register(registry);
    }

    /** The drafts with their vectors, or without when the embedder failed. */
    public List<NewRecord> embed(List<AuditDraft> drafts) {
        List<String> texts = drafts.stream().map(d -> EmbeddingText.of(d.kind(), d.document())).toList();
        List<float[]> vectors = embedTexts(texts);
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
        return embedTexts(texts);
    }

    private List<float[]> embedTexts(List<String> texts) {
        try {
            return embedder.embed(texts);
        } catch (EmbeddingException e) {
            failures.increment();
            log.warn("Embedding {} text(s) failed ({}); storing the record(s) with the embedding pending",
                    texts.size(), e.getMessage());
            return null;
        } catch (RuntimeException e) {
            // Not the embedder's way of failing, so a defect; the record is still worth keeping.
            failures.increment();
            log.error("Embedding {} text(s) failed unexpectedly; storing the record(s) with the embedding pending",
                    texts.size(), e);
            return null;
        }
    }
}
