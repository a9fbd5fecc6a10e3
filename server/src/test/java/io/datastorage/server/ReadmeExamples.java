package io.datastorage.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The examples of the project's README: its fenced code blocks, and the {@code curl} commands in
 * its shell blocks parsed into requests (the options the README uses: {@code -i}, {@code -s},
 * {@code -X}, {@code -H}, {@code -d}; quoting as the shell does it; a {@code #} comment after a
 * command is kept as what the README says the answer is; anything after {@code |} is ignored).
 */
public final class ReadmeExamples {
    private static final Pattern BLOCK = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL);

    public record Block(String language, String text) {
    }

    public record Curl(String method, String url, List<String> headers, String body, String comment) {
        public String path() {
            String withoutHost = url.replaceFirst("^(https?://)?[^/]+", "");
            return withoutHost.isEmpty() ? "/" : withoutHost;
        }

        public String header(String name) {
            return headers.stream().filter(h -> h.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                    .map(h -> h.substring(name.length() + 1).strip()).findFirst().orElse(null);
        }
    }

    private ReadmeExamples() {
    }

    public static String readme() {
        for (Path candidate : List.of(Path.of("README.md"), Path.of("..", "README.md"))) {
            if (Files.exists(candidate)) {
                try {
                    return Files.readString(candidate);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("README.md not found from " + Path.of("").toAbsolutePath());
    }

    public static List<Block> blocks() {
        List<Block> blocks = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(readme());
        while (matcher.find()) {
            blocks.add(new Block(matcher.group(1), matcher.group(2)));
        }
        return blocks;
    }

    /** Every curl command of the README's sh and bash blocks, in order. */
    public static List<Curl> curls() {
        List<Curl> curls = new ArrayList<>();
        for (Block block : blocks()) {
            if (!block.language().equals("sh") && !block.language().equals("bash")) {
                continue;
            }
            String joined = block.text().replace("\\\n", " ");
            // a quoted argument may span lines: join lines while a single quote is open
            List<String> commands = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : joined.split("\n")) {
                if (!current.isEmpty()) {
                    current.append('\n');
                }
                current.append(line);
                if (current.chars().filter(c -> c == '\'').count() % 2 == 0) {
                    commands.add(current.toString());
                    current.setLength(0);
                }
            }
            Curl last = null;
            for (String command : commands) {
                if (command.strip().startsWith("curl ")) {
                    last = parse(command.strip());
                    curls.add(last);
                } else if (command.strip().startsWith("#") && last != null) {
                    // a comment line right after a command continues what it says of the answer
                    String more = command.strip().substring(1).strip();
                    Curl continued = new Curl(last.method(), last.url(), last.headers(), last.body(),
                            last.comment() == null ? more : last.comment() + " " + more);
                    curls.set(curls.size() - 1, continued);
                    last = continued;
                } else {
                    last = null;
                }
            }
        }
        return curls;
    }

    static Curl parse(String command) {
        List<String> words = new ArrayList<>();
        String comment = null;
        StringBuilder word = null;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c == '\'') {
                int end = command.indexOf('\'', i + 1);
                word = word == null ? new StringBuilder() : word;
                word.append(command, i + 1, end);
                i = end;
            } else if (c == '"') {
                int end = command.indexOf('"', i + 1);
                word = word == null ? new StringBuilder() : word;
                word.append(command, i + 1, end);
                i = end;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else if (c == '#' && word == null) {
                comment = command.substring(i + 1).strip();
                break;
            } else if (c == '|' && word == null) {
                int hash = command.indexOf('#', i);
                comment = hash < 0 ? null : command.substring(hash + 1).strip();
                break;
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        String method = null;
        String url = null;
        String body = null;
        List<String> headers = new ArrayList<>();
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            switch (w) {
                case "-X" -> method = words.get(++i);
                case "-H" -> headers.add(words.get(++i));
                case "-d", "--data" -> body = words.get(++i);
                case "-i", "-s", "-sS", "-f" -> {
                }
                default -> {
                    if (w.startsWith("-")) {
                        throw new IllegalArgumentException("the README uses a curl option this parser does not know: " + w);
                    }
                    url = w;
                }
            }
        }
        return new Curl(method != null ? method : body != null ? "POST" : "GET", url, headers, body, comment);
    }
}
