/**
 * A graph: leaves (inputs, which a check never perturbs, and params, which it does), op nodes,
 * and one scalar objective. An immutable value: `GraphBuilder.build()` freezes it and edits
 * return a new graph (see edit.ts). Leaf tensors are held by reference, not copied: they are
 * the caller's arrays, and a check restores every element it perturbs, bit for bit.
 */
import { freeze } from 'immer';
import type { Attrs } from './op.js';
import { fromNested, type Tensor } from './tensor.js';

export type LeafKind = 'input' | 'param';

export interface Leaf {
  readonly name: string;
  readonly kind: LeafKind;
  readonly value: Tensor;
}

export interface GraphNode {
  readonly id: string;
  readonly op: string;
  /** Names of leaves or other nodes, in the op's input order. */
  readonly args: readonly string[];
  readonly attrs: Attrs;
}

export interface Graph {
  readonly leaves: readonly Leaf[];
  readonly nodes: readonly GraphNode[];
  /** The node whose scalar value is checked; by default the last node added. */
  readonly objective: string;
}

/** What the builder accepts as a value: a tensor, nested arrays of numbers, or a number. */
export type TensorLike = Tensor | number | readonly unknown[];

const isTensor = (v: unknown): v is Tensor =>
  typeof v === 'object' && v !== null && (v as Tensor).data instanceof Float64Array && Array.isArray((v as Tensor).shape);

/** A fresh tensor object that shares the caller's data (a tensor is taken as-is, not copied). */
export const asTensor = (value: TensorLike, what: string): Tensor =>
  isTensor(value) ? { shape: [...value.shape], data: value.data } : fromNested(value, what);

/** Builds a graph step by step; `build()` returns the frozen value. Checking happens in compile(). */
export class GraphBuilder {
  private readonly leaves: Leaf[] = [];
  private readonly nodes: GraphNode[] = [];
  private chosenObjective?: string;

  input(name: string, value: TensorLike): this {
    this.leaves.push({ name, kind: 'input', value: asTensor(value, name) });
    return this;
  }

  param(name: string, value: TensorLike): this {
    this.leaves.push({ name, kind: 'param', value: asTensor(value, name) });
    return this;
  }

  node(id: string, op: string, args: readonly string[], attrs: Attrs = {}): this {
    this.nodes.push({ id, op, args: [...args], attrs: { ...attrs } });
    return this;
  }

  objective(id: string): this {
    this.chosenObjective = id;
    return this;
  }

  build(): Graph {
    const objective = this.chosenObjective ?? this.nodes[this.nodes.length - 1]?.id ?? '';
    return freeze({ leaves: [...this.leaves], nodes: [...this.nodes], objective }, true);
  }
}

export const graph = (): GraphBuilder => new GraphBuilder();
