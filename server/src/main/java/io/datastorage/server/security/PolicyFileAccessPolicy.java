package io.datastorage.server.security;

import io.datastorage.core.access.AccessPolicy;
import io.datastorage.core.access.Action;
import io.datastorage.core.access.Decision;
import io.datastorage.core.access.Subject;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.config.InvalidConfigException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The jwt mode's authorization: a file mapping subjects and groups to actions, or, with no file,
 * "every authenticated subject may write, read and search". Either way the subjects of
 * {@code datastorage.auth.admins} may also administer.
 * <p>
 * The file is YAML (JSON, being YAML, works as well):
 * <pre>{@code
 * subjects:
 *   "system:serviceaccount:remediation:controller": ["write:remediation", "write:execution", "read"]
 *   "system:serviceaccount:ops:auditor": [read, search]
 * groups:
 *   "system:serviceaccounts:ops": [read]
 * }</pre>
 * Actions are {@code write:<kind>}, {@code write:*} (every kind), {@code read}, {@code search} and
 * {@code admin}. A subject may take an action granted to it or to any of its groups. A file that
 * cannot be read, is not YAML, or names an unknown key or action stops start-up naming the file
 * and the line. The file is read once, at start-up.
 */
public final class PolicyFileAccessPolicy implements AccessPolicy {
    private static final String ALL_WRITES = "write:*";

    private final Map<String, Set<String>> subjects;
    private final Map<String, Set<String>> groups;
    private final Set<String> admins;
    private final boolean everyoneWritesReadsSearches;

    private PolicyFileAccessPolicy(Map<String, Set<String>> subjects, Map<String, Set<String>> groups,
                                   Set<String> admins, boolean everyoneWritesReadsSearches) {
        this.subjects = subjects;
        this.groups = groups;
        this.admins = Set.copyOf(admins);
        this.everyoneWritesReadsSearches = everyoneWritesReadsSearches;
    }

    /** No file: every authenticated subject may write, read and search; {@code admins} may also administer. */
    public static PolicyFileAccessPolicy withoutFile(Set<String> admins) {
        return new PolicyFileAccessPolicy(Map.of(), Map.of(), admins, true);
    }

    /**
     * Reads the file.
     *
     * @throws InvalidConfigException naming {@code datastorage.auth.policy-file}, the file and the line
     *                                of what is wrong
     */
    public static PolicyFileAccessPolicy read(Path file, Set<String> admins) {
        Node root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new LoaderOptions()).compose(reader);
        } catch (IOException e) {
            throw invalid(file, "must be a readable file (" + e.getClass().getSimpleName() + ")", -1);
        } catch (MarkedYAMLException e) {
            throw invalid(file, "must be YAML or JSON (" + e.getProblem() + ")",
                    e.getProblemMark() == null ? -1 : e.getProblemMark().getLine());
        } catch (YAMLException e) {
            throw invalid(file, "must be YAML or JSON (" + e.getMessage() + ")", -1);
        }
        Map<String, Set<String>> subjects = new HashMap<>();
        Map<String, Set<String>> groups = new HashMap<>();
        if (root != null) {
            if (!(root instanceof MappingNode mapping)) {
                throw invalid(file, "must be a mapping with the keys subjects and groups", line(root));
            }
            for (NodeTuple entry : mapping.getValue()) {
                String key = scalar(file, entry.getKeyNode());
                switch (key) {
                    case "subjects" -> grants(file, entry.getValueNode(), subjects);
                    case "groups" -> grants(file, entry.getValueNode(), groups);
                    default -> throw invalid(file, "must have the keys subjects and groups only, has '" + key + "'",
                            line(entry.getKeyNode()));
                }
            }
        }
        return new PolicyFileAccessPolicy(Map.copyOf(subjects), Map.copyOf(groups), admins, false);
    }

    private static void grants(Path file, Node node, Map<String, Set<String>> into) {
        if (node instanceof ScalarNode scalar && scalar.getValue().isEmpty()) {
            return; // "subjects:" with nothing under it
        }
        if (!(node instanceof MappingNode mapping)) {
            throw invalid(file, "must map each subject or group to a list of actions", line(node));
        }
        for (NodeTuple entry : mapping.getValue()) {
            String name = scalar(file, entry.getKeyNode());
            if (name.isBlank()) {
                throw invalid(file, "must not name an empty subject or group", line(entry.getKeyNode()));
            }
            if (!(entry.getValueNode() instanceof SequenceNode list)) {
                throw invalid(file, "must give '" + name + "' a list of actions such as [read, search]",
                        line(entry.getValueNode()));
            }
            Set<String> actions = into.computeIfAbsent(name, n -> new HashSet<>());
            for (Node item : list.getValue()) {
                String action = scalar(file, item);
                if (!known(action)) {
                    throw invalid(file, "must name actions among write:<kind> (" + AuditKind.allowedPathNames()
                            + "), write:*, read, search, admin; has '" + action + "'", line(item));
                }
                actions.add(action);
            }
        }
    }

    private static boolean known(String action) {
        return switch (action) {
            case ALL_WRITES, "read", "search", "admin" -> true;
            default -> action.startsWith("write:")
                    && AuditKind.fromPathName(action.substring("write:".length())).isPresent();
        };
    }

    private static String scalar(Path file, Node node) {
        if (!(node instanceof ScalarNode scalar)) {
            throw invalid(file, "must have a text here", line(node));
        }
        return scalar.getValue();
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? -1 : node.getStartMark().getLine();
    }

    /** {@code line} is 0-based (SnakeYAML's), -1 when unknown. */
    private static InvalidConfigException invalid(Path file, String requirement, int line) {
        return new InvalidConfigException("datastorage.auth.policy-file",
                requirement + (line < 0 ? "" : " (line " + (line + 1) + ")"), "'" + file + "'");
    }

    @Override
    public Decision decide(Subject subject, Action action) {
        String wire = action.wireName();
        if (action == Action.ADMIN && admins.contains(subject.name())) {
            return Decision.allow(subject.name() + " is listed in datastorage.auth.admins");
        }
        if (everyoneWritesReadsSearches) {
            return action == Action.ADMIN
                    ? Decision.deny("only the subjects of datastorage.auth.admins may administer")
                    : Decision.allow("without a policy file every authenticated subject may write, read and search");
        }
        if (grants(subjects.get(subject.name()), action)) {
            return Decision.allow("the policy file grants " + wire + " to " + subject.name());
        }
        for (String group : subject.groups()) {
            if (grants(groups.get(group), action)) {
                return Decision.allow("the policy file grants " + wire + " to the group " + group);
            }
        }
        return Decision.deny("the policy file grants " + wire + " neither to " + subject.name() + " nor to its groups");
    }

    private static boolean grants(Set<String> actions, Action action) {
        return actions != null && (actions.contains(action.wireName())
                || action instanceof Action.Write && actions.contains(ALL_WRITES));
    }
}
