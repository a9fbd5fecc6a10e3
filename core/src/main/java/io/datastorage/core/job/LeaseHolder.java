package io.datastorage.core.job;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/**
 * The holder id of this process: host name, process id and a random part. The random part keeps
 * two processes apart that share a host name and a pid (containers, each pid 1) and a restarted
 * process apart from its predecessor, whose lease it must not inherit.
 */
public final class LeaseHolder {
    private static final String THIS_PROCESS = host() + "/" + ProcessHandle.current().pid() + "/"
            + UUID.randomUUID().toString().substring(0, 8);

    private LeaseHolder() {
    }

    /** The same value for the whole life of this process, different in every other one. */
    public static String thisProcess() {
        return THIS_PROCESS;
    }

    private static String host() {
        String name = System.getenv("HOSTNAME");
        if (name != null && !name.isBlank()) {
            return name;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host"; // the pid and the random part still make the id unique
        }
    }
}
