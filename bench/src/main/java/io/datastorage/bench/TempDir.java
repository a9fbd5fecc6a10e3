package io.datastorage.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A temporary directory a benchmark builds its stores in, deleted with everything in it when closed. */
record TempDir(Path path) implements AutoCloseable {

    static TempDir create(String prefix) {
        try {
            return new TempDir(Files.createTempDirectory(prefix));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try (Stream<Path> paths = Files.walk(path)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + path + ": " + e.getMessage());
        }
    }
}
