/**
 * Integrity primitives of EventDBX, specified in {@code docs/integrity.md}:
 *
 * <ul>
 *   <li>{@link io.eventdbx.integrity.CanonicalJson}: the one byte form of a JSON payload;
 *   <li>{@link io.eventdbx.integrity.EventHash}: SHA-256 over an unambiguous encoding of every field of an
 *       event;
 *   <li>{@link io.eventdbx.integrity.MerkleFrontier}: an aggregate's Merkle tree (RFC 6962/9162 shape) kept
 *       as O(log n) subtree roots, so an append costs O(log n);
 *   <li>{@link io.eventdbx.integrity.MerkleProofs}: inclusion and consistency proofs and their verification.
 * </ul>
 *
 * <p>Everything here is a pure function of its inputs, thread-safe, and uses only JDK types, so a client can
 * verify proofs without the database.
 */
@Export
@Version("1.0.0")
package io.eventdbx.integrity;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
