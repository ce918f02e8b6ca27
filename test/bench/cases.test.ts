// The networks the bench hands to peers: which of them a peer's classifier loop can run, and the
// shape names rows are grouped by (a tanh row must never be read as the ReLU network's).
import { describe, expect, it } from 'vitest';
import { classifierHidden, classifierSpec, isClassifier, shapeName, sigmoidSpec } from '../../bench/cases.js';
import { Activation, Loss } from '../../src/backend/kernels.js';

describe('bench networks', () => {
  it('name each network by its hidden activation', () => {
    expect(shapeName(classifierSpec([784, 128, 10]))).toBe('784-128-10');
    expect(shapeName(classifierSpec([784, 128, 10], Activation.tanh))).toBe('784-128-10 tanh');
    expect(shapeName(sigmoidSpec([784, 128, 10]))).toBe('784-128-10 sigmoid/½sse');
  });

  it('give the peers only softmax classifiers whose hidden layers are all ReLU or all tanh', () => {
    expect(classifierHidden(classifierSpec([784, 512, 256, 10]))).toBe('relu');
    expect(classifierHidden(classifierSpec([784, 128, 10], Activation.tanh))).toBe('tanh');
    expect(classifierHidden(classifierSpec([784, 128, 10], Activation.sigmoid))).toBeUndefined();
    const mixed = { sizes: [4, 3, 3, 2], activations: [Activation.relu, Activation.tanh, Activation.softmax], loss: Loss.cross_entropy };
    expect(isClassifier(mixed)).toBe(false);
    expect(isClassifier({ ...classifierSpec([4, 3, 2]), loss: Loss.mse })).toBe(false);
    expect(isClassifier(sigmoidSpec([4, 3, 2]))).toBe(false);
  });
});
