package io.datastorage.index.solr;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The configset this service's collection uses, shipped as resources of this module
 * ({@code configset/solrconfig.xml}, {@code configset/schema.xml}) with the vector dimension filled
 * in. Its name carries the dimension and a layout version ({@code datastorage-384-v1}), so a
 * collection for another model's dimension or a later layout gets a configset of its own and an
 * existing one is never overwritten.
 */
final class SolrConfigset {
    static final String VERSION = "v1";
    private static final String[] FILES = {"solrconfig.xml", "schema.xml"};
    private static final String DIMENSION_PLACEHOLDER = "@DIMENSION@";

    private SolrConfigset() {
    }

    static String name(int dimension) {
        return "datastorage-" + dimension + "-" + VERSION;
    }

    /** File name to content, the dimension filled in. */
    static Map<String, String> files(int dimension) {
        Map<String, String> files = new LinkedHashMap<>();
        for (String file : FILES) {
            try (InputStream in = SolrConfigset.class.getResourceAsStream("configset/" + file)) {
                if (in == null) {
                    throw new IllegalStateException("configset/" + file + " is missing beside " + SolrConfigset.class.getName());
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                files.put(file, text.replace(DIMENSION_PLACEHOLDER, Integer.toString(dimension)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    /** The configset as the zip file Solr's configset upload takes. */
    static byte[] zip(Map<String, String> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
