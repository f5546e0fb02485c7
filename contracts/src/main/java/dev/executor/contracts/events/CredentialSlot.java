package dev.executor.contracts.events;

/**
 * A named credential slot of a connection, without its SecretRef.
 *
 * @param name     slot name, e.g. "token"
 * @param provider secret provider kind behind it: "env", "file", "k8s", "vault" or a plugin kind
 */
public record CredentialSlot(String name, String provider) {
}
