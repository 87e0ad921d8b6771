/**
 * SCRUB (Kurmanji et al. 2023, github.com/meghdadk/SCRUB). The student is θu itself (training mode, batch
 * statistics); the teacher is a frozen copy of θ0 (evaluation mode), cloned at the start and disposed at the
 * end. Each epoch: while epoch < msteps, a max pass over F with loss −KL_T(t‖s); then a min pass over R with
 * γ·CE + α·KL_T(t‖s), KL_T = KL(softmax(t/T) ‖ softmax(s/T))·T² (batch mean). SGD with momentum and weight
 * decay on the STUDENT's variables (a published re-implementation built its optimizer on the teacher, so
 * nothing moved); lr × lrDecayRate after each epoch listed in lrDecayEpochs (1-based, as SCRUB's
 * `adjust_learning_rate`: 0-based epoch e runs at lr·rate^#{d ∈ lrDecayEpochs : e ≥ d}).
 */
import * as tf from '@tensorflow/tfjs';
import { cloneModel } from '../../models/model';
import { createRng } from '../../rng';
import { passSteps, runMethod, sgd, shuffled } from '../common';
import { crossEntropy, distillKl } from '../losses';
import type { UnlearningMethod } from '../types';

/** SCRUB's learning rate in 0-based epoch `epoch`. */
export function scrubLr(p: { lr: number; lrDecayEpochs: readonly number[]; lrDecayRate: number }, epoch: number): number {
  return p.lr * p.lrDecayRate ** p.lrDecayEpochs.filter((d) => epoch >= d).length;
}

export const scrub: UnlearningMethod<'scrub'> = async (inputs) => {
  const { params: p, forget, retain } = inputs;
  const student = inputs.model;
  const maxEpochs = Math.min(p.msteps, p.epochs);
  const total = maxEpochs * passSteps(forget.length, p.forgetBatchSize) + p.epochs * passSteps(retain.length, p.batchSize);
  const forgetRng = createRng(inputs.seed).fork('forget-order');
  const retainRng = createRng(inputs.seed).fork('retain-order');
  const T = p.temperature;
  const teacher = cloneModel(student);
  try {
    // sgd(p) builds the optimizer on the run's variables: the student's (inputs.model.trainable).
    return await runMethod(inputs, total, sgd(p), async (run, optimizer) => {
      for (let epoch = 0; epoch < p.epochs; epoch++) {
        const lr = scrubLr(p, epoch);
        if (epoch < maxEpochs) {
          await run.pass({
            order: shuffled(forget, forgetRng),
            batchSize: p.forgetBatchSize,
            optimizer,
            lr,
            loss: (b) => tf.neg(distillKl(student.apply(b.x, true), teacher.apply(b.x, false), T)),
          });
        }
        await run.pass({
          order: shuffled(retain, retainRng),
          batchSize: p.batchSize,
          optimizer,
          lr,
          loss: (b) => {
            const s = student.apply(b.x, true);
            const kl = distillKl(s, teacher.apply(b.x, false), T);
            return tf.add(tf.mul(crossEntropy(s, b.y), p.gamma), tf.mul(kl, p.alpha)) as tf.Scalar;
          },
        });
      }
    });
  } finally {
    teacher.dispose();
  }
};
