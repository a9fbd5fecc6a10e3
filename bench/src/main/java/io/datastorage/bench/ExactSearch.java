package io.datastorage.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.index.VectorIndexes;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;

/**
 * The exact top-k over every stored vector, the ground truth for recall and the raw baseline for
 * search latency: one cosine per record, a bounded heap for the best k. The vectors are read back
 * from the service's PostgreSQL, so they are exactly what the service indexed.
 */
final class ExactSearch {
    private final List<UUID> ids;
    private final List<float[]> vectors;
    private final Map<UUID, Integer> positions;

    ExactSearch(List<UUID> ids, List<float[]> vectors) {
        this.ids = ids;
        this.vectors = vectors;
        this.positions = new HashMap<>(ids.size() * 2);
        for (int i = 0; i < ids.size(); i++) {
            positions.put(ids.get(i), i);
        }
    }

    /** Every record's id and embedding from the service's database. */
    static ExactSearch load(String jdbcUrl) {
        List<UUID> ids = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        try (HikariDataSource dataSource = RawBaselines.dataSource(jdbcUrl, "postgres", 1);
             Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false); // lets the driver stream with the fetch size
            try (Statement s = c.createStatement()) {
                s.setFetchSize(2_000);
                try (ResultSet rs = s.executeQuery("SELECT id, embedding FROM audit_records WHERE embedding IS NOT NULL")) {
                    while (rs.next()) {
                        ids.add(rs.getObject(1, UUID.class));
                        vectors.add(floats(rs.getArray(2)));
                    }
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the service's vectors", e);
        }
        return new ExactSearch(ids, vectors);
    }

    private static float[] floats(Array array) throws SQLException {
        Object[] values = (Object[]) array.getArray();
        float[] vector = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            vector[i] = ((Number) values[i]).floatValue();
        }
        return vector;
    }

    int size() {
        return ids.size();
    }

    /** How many of the vectors differ from each other bitwise. */
    int distinctVectors() {
        Set<Bits> distinct = new HashSet<>(vectors.size() * 2);
        vectors.forEach(v -> distinct.add(new Bits(v)));
        return distinct.size();
    }

    /** A vector compared by content. */
    private record Bits(float[] vector) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Bits b && Arrays.equals(vector, b.vector);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(vector);
        }
    }

    /** The k best scores, best first. */
    double[] topScores(float[] query, int k) {
        PriorityQueue<Double> best = new PriorityQueue<>(k + 1);
        for (float[] vector : vectors) {
            double score = VectorIndexes.cosine(query, vector);
            if (best.size() < k) {
                best.add(score);
            } else if (score > best.peek()) {
                best.poll();
                best.add(score);
            }
        }
        double[] top = new double[best.size()];
        for (int i = top.length - 1; i >= 0; i--) {
            top[i] = best.poll();
        }
        return top;
    }

    /**
     * Recall@k of a search's answer, counting ties: a returned id is right when its true score
     * reaches the exact k-th best score (within float rounding). Records repeat texts, so several
     * records share a vector and "the" exact top k is a set of equally good choices.
     */
    double recall(float[] query, List<UUID> returned, double[] exactTop) {
        if (exactTop.length == 0) {
            return 1.0;
        }
        double kth = exactTop[exactTop.length - 1];
        long right = returned.stream().limit(exactTop.length).map(positions::get)
                .filter(p -> p != null && VectorIndexes.cosine(query, vectors.get(p)) >= kth - 1e-5).count();
        return right / (double) exactTop.length;
    }
}
