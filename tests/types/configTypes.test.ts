/** The zod schemas (src/schemas) and the plain config types (src/core/config) describe the same values. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type * as lossTypes from '../../src/core/config/lossConfig.js';
import type * as modelTypes from '../../src/core/config/modelConfig.js';
import type * as refTypes from '../../src/core/config/moduleRefConfig.js';
import type * as scalerTypes from '../../src/core/config/scalerJson.js';
import type * as loss from '../../src/schemas/lossConfig.js';
import * as model from '../../src/schemas/modelConfig.js';
import type * as ref from '../../src/schemas/moduleRefConfig.js';
import type * as scaler from '../../src/schemas/scalerJson.js';

describe('config types', () => {
  it('each schema parses to exactly its plain type', () => {
    expectTypeOf<z.infer<typeof model.InitializerName>>().toEqualTypeOf<modelTypes.InitializerName>();
    expectTypeOf<z.infer<typeof model.KernelRegularizerConfig>>().toEqualTypeOf<modelTypes.KernelRegularizerConfig>();
    expectTypeOf<z.infer<typeof model.DenseLayerConfig>>().toEqualTypeOf<modelTypes.DenseLayerConfig>();
    expectTypeOf<z.infer<typeof model.ActivationLayerConfig>>().toEqualTypeOf<modelTypes.ActivationLayerConfig>();
    expectTypeOf<z.infer<typeof model.DropoutLayerConfig>>().toEqualTypeOf<modelTypes.DropoutLayerConfig>();
    expectTypeOf<z.infer<typeof model.BatchNormLayerConfig>>().toEqualTypeOf<modelTypes.BatchNormLayerConfig>();
    expectTypeOf<z.infer<typeof model.EmbeddingLayerConfig>>().toEqualTypeOf<modelTypes.EmbeddingLayerConfig>();
    expectTypeOf<z.infer<typeof model.LstmLayerConfig>>().toEqualTypeOf<modelTypes.LstmLayerConfig>();
    expectTypeOf<z.infer<typeof model.GruLayerConfig>>().toEqualTypeOf<modelTypes.GruLayerConfig>();
    expectTypeOf<z.infer<typeof model.Conv2dLayerConfig>>().toEqualTypeOf<modelTypes.Conv2dLayerConfig>();
    expectTypeOf<z.infer<typeof model.Pool2dLayerConfig>>().toEqualTypeOf<modelTypes.Pool2dLayerConfig>();
    expectTypeOf<z.infer<typeof model.GlobalAvgPool2dLayerConfig>>().toEqualTypeOf<modelTypes.GlobalAvgPool2dLayerConfig>();
    expectTypeOf<z.infer<typeof model.FlattenLayerConfig>>().toEqualTypeOf<modelTypes.FlattenLayerConfig>();
    expectTypeOf<z.infer<typeof model.ReshapeLayerConfig>>().toEqualTypeOf<modelTypes.ReshapeLayerConfig>();
    expectTypeOf<z.infer<typeof model.LayerConfig>>().toEqualTypeOf<modelTypes.LayerConfig>();
    expectTypeOf<z.infer<typeof model.ModelConfig>>().toEqualTypeOf<modelTypes.ModelConfig>();
    expectTypeOf<z.infer<typeof loss.LossObjectConfig>>().toEqualTypeOf<lossTypes.LossObjectConfig>();
    expectTypeOf<z.infer<typeof loss.LossName>>().toEqualTypeOf<lossTypes.LossName>();
    expectTypeOf<z.infer<typeof loss.LossConfig>>().toEqualTypeOf<lossTypes.LossConfig>();
    expectTypeOf<z.infer<typeof ref.ModuleRefConfig>>().toEqualTypeOf<refTypes.ModuleRefConfig>();
    expectTypeOf<z.infer<typeof scaler.ScalerJson>>().toEqualTypeOf<scalerTypes.ScalerJson>();
    expect(model.ModelConfig.parse({ layers: [{ type: 'dense', inputs: 1, units: 1 }] }).layers).toHaveLength(1);
  });
});
