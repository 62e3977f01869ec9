package dev.gymrpc.envs;

/** An action that is not an element of the env's action space (wrong type, shape, range or NaN). */
public class InvalidActionException extends IllegalArgumentException {
    public InvalidActionException(String message) {
        super(message);
    }
}
