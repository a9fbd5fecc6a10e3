package io.datastorage.index.lucene;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

import java.io.IOException;

/**
 * Lucene's HNSW format with its dimension limit raised from 1024 to {@value #MAX_DIMENSIONS}, so
 * that 1536-dimensional vectors (OpenAI's) can be indexed. It writes exactly what the standard
 * format writes and under the standard format's name, so segments read back with the standard
 * format; only the indexing-time check differs.
 */
final class HighDimensionHnswFormat extends KnnVectorsFormat {
    static final int MAX_DIMENSIONS = 4096;
    private static final KnnVectorsFormat STANDARD = new Lucene99HnswVectorsFormat();

    HighDimensionHnswFormat() {
        super(STANDARD.getName());
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
        return STANDARD.fieldsWriter(state);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
        return STANDARD.fieldsReader(state);
    }

    @Override
    public int getMaxDimensions(String fieldName) {
        return MAX_DIMENSIONS;
    }
}
