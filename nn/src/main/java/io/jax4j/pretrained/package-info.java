/**
 * Pretrained models imported from Hugging Face checkpoints without any Python step: a jax4j CLIP
 * ({@link io.jax4j.pretrained.ClipModel}, with the vision and text towers and both projections) whose
 * parameter tree mirrors the PyTorch state dict, and {@link io.jax4j.pretrained.Clip#fromPretrained}
 * reading {@code config.json} and {@code model.safetensors}. {@link io.jax4j.pretrained.Classifier} puts a
 * new head on a pretrained backbone for transfer learning.
 *
 * <h2>Names: PyTorch state dict to jax4j params</h2>
 * A dotted name becomes a path of nested dicts; a numeric segment joins the list before it with an
 * underscore (the name jax4j gives the i-th module of a list component); the last segment is renamed
 * and the tensor re-laid-out by the kind of layer it belongs to:
 * <pre>
 * vision_model.encoder.layers.0.self_attn.q_proj.weight [out,in]      -> vision_model/encoder/layers_0/self_attn/q_proj/kernel [in,out]
 * vision_model.encoder.layers.0.self_attn.q_proj.bias                 -> .../q_proj/bias
 * vision_model.pre_layrnorm.weight                                    -> vision_model/pre_layrnorm/scale
 * vision_model.embeddings.patch_embedding.weight [out,in,kh,kw]       -> vision_model/embeddings/patch_embedding/kernel [kh,kw,in,out] (HWIO)
 * vision_model.embeddings.position_embedding.weight                   -> vision_model/embeddings/position_embedding/embedding
 * vision_model.embeddings.class_embedding                             -> vision_model/embeddings/class_embedding
 * visual_projection.weight [proj,hidden]                              -> visual_projection/kernel [hidden,proj]
 * logit_scale                                                         -> logit_scale
 * </pre>
 */
package io.jax4j.pretrained;
