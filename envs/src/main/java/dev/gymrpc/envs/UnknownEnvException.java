package dev.gymrpc.envs;

import java.util.Collection;

/** {@code make} was asked for an id that is not registered. */
public class UnknownEnvException extends IllegalArgumentException {
    public UnknownEnvException(String id, Collection<String> known) {
        super("no environment registered with id '" + id + "'; registered ids: " + String.join(", ", known));
    }
}
