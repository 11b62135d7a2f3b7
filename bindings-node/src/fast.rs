//! The hot paths as raw Node-API callbacks, and the state they share with JS.
//!
//! A `#[napi]` export spends several hundred nanoseconds converting and checking arguments
//! (typed arrays are referenced and type-checked one by one, `this` is unwrapped), which is
//! more than the whole decode of a small frame. So `decode`, `push`, `encode` and `encodeInto`
//! are plain C callbacks taking integers and at most two buffers, and everything else they use
//! lives here: the tape and spill JS reads results from, and the tape, blob and scratch it
//! writes messages and reads encodings from, are registered once (again only when JS grows
//! one), and codecs and stream decoders live in slabs addressed by an integer handle.

use std::cell::RefCell;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use napi::bindgen_prelude::{Uint32Array, Uint8Array};
use napi::sys;
use wire_core::AnyCodec;

use crate::{Dest, Stream};

/// The typed arrays JS registered: holding them keeps them alive (each holds a reference), so
/// their memory stays where it is until JS registers replacements.
pub struct Buffers {
    /// Results: the tape JS reads messages from, and the spill area for bytes not in the input.
    pub tape: Uint32Array,
    pub spill: Uint8Array,
    /// Messages to encode: the tape JS wrote, and the bytes its byte fields point into.
    pub words: Uint32Array,
    pub blob: Uint8Array,
    /// Encodings for `encode`: JS's output pool, which it hands out views of.
    pub scratch: Uint8Array,
    /// Which registration this is. Every raw call names the one it expects, so a second copy of
    /// lib/wire.js in the same thread (e.g. a test runner re-evaluating modules) that
    /// registered its own arrays in between is noticed instead of read.
    pub generation: u32,
}

/// A raw call's answer when its registration was replaced: JS registers again and retries.
const STALE: f64 = -3.0;

/// Whether `generation` is the registration in force.
fn current(generation: u32) -> bool {
    with_buffers(|b| b.is_some_and(|b| b.generation == generation))
}

/// A handle table: ids are indexes, reused after release.
pub struct Slab<T> {
    items: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Slab<T> {
    const fn new() -> Self {
        Slab {
            items: Vec::new(),
            free: Vec::new(),
        }
    }

    pub fn insert(&mut self, item: T) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.items[id as usize] = Some(item);
                id
            }
            None => {
                self.items.push(Some(item));
                (self.items.len() - 1) as u32
            }
        }
    }

    pub fn get_mut(&mut self, id: u32) -> Option<&mut T> {
        self.items.get_mut(id as usize)?.as_mut()
    }

    pub fn remove(&mut self, id: u32) {
        if let Some(slot) = self.items.get_mut(id as usize) {
            if slot.take().is_some() {
                self.free.push(id);
            }
        }
    }
}

thread_local! {
    pub static BUFFERS: RefCell<Option<Buffers>> = const { RefCell::new(None) };
    pub static GENERATIONS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    pub static CODECS: RefCell<Slab<AnyCodec>> = const { RefCell::new(Slab::new()) };
    pub static DECODERS: RefCell<Slab<Stream>> = const { RefCell::new(Slab::new()) };
}

/// Run `f` on the registered buffers (`None` before JS registered any).
pub fn with_buffers<R>(f: impl FnOnce(Option<&mut Buffers>) -> R) -> R {
    BUFFERS.with(|b| f(b.borrow_mut().as_mut()))
}

/// The arguments of a raw call; absent ones are `undefined`, which every getter below refuses.
///
/// # Safety
/// `env` and `info` must be the ones Node passed to the running callback.
unsafe fn args<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> Option<[sys::napi_value; N]> {
    let mut argc = N;
    let mut argv = [ptr::null_mut(); N];
    // SAFETY: `argv` has room for `argc` values; the other outputs are not requested.
    let status = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    (status == sys::Status::napi_ok).then_some(argv)
}

/// # Safety
/// `env` and `value` must belong to the running callback.
unsafe fn u32_arg(env: sys::napi_env, value: sys::napi_value) -> Option<u32> {
    let mut out = 0;
    // SAFETY: per the caller; `out` is a valid destination.
    let status = unsafe { sys::napi_get_value_uint32(env, value, &mut out) };
    (status == sys::Status::napi_ok).then_some(out)
}

/// The bytes of a Buffer or Uint8Array argument.
///
/// # Safety
/// `env` and `value` must belong to the running callback, and the slice must not outlive it
/// (the argument keeps the memory alive only that long). No other slice of the same memory
/// may be in use while a mutable one is.
unsafe fn bytes_arg<'a>(env: sys::napi_env, value: sys::napi_value) -> Option<&'a mut [u8]> {
    let mut data = ptr::null_mut();
    let mut len = 0;
    // SAFETY: per the caller; both outputs are valid destinations.
    let status = unsafe { sys::napi_get_buffer_info(env, value, &mut data, &mut len) };
    if status != sys::Status::napi_ok {
        return None;
    }
    if len == 0 || data.is_null() {
        return Some(&mut []);
    }
    // SAFETY: Node reports `len` bytes at `data`, alive for the call (see above).
    Some(unsafe { std::slice::from_raw_parts_mut(data.cast::<u8>(), len) })
}

/// The bytes of a Uint8Array (or Buffer) argument, and its ArrayBuffer.
///
/// # Safety
/// As for `bytes_arg`.
unsafe fn input_arg<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
) -> Option<(&'a [u8], sys::napi_value)> {
    let mut kind = 0;
    let mut len = 0;
    let mut data = ptr::null_mut();
    let mut array_buffer = ptr::null_mut();
    let mut offset = 0;
    // SAFETY: per the caller; every output is a valid destination.
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env,
            value,
            &mut kind,
            &mut len,
            &mut data,
            &mut array_buffer,
            &mut offset,
        )
    };
    if status != sys::Status::napi_ok || kind != sys::TypedarrayType::uint8_array {
        return None;
    }
    if len == 0 || data.is_null() {
        return Some((&[], array_buffer));
    }
    // SAFETY: Node reports `len` bytes at `data` (the view's start), alive for the call.
    Some((
        unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) },
        array_buffer,
    ))
}

/// What a raw export returns: a number, or a JS value it was given.
enum Ret {
    Number(f64),
    Value(sys::napi_value),
}

/// A decode result: the input's ArrayBuffer when the tape is ready (JS makes its payload views
/// on it, and reading `buffer` in JS costs more than the whole tape), else the status number.
fn decoded(n: i32, array_buffer: sys::napi_value) -> Ret {
    if n >= 0 {
        Ret::Value(array_buffer)
    } else {
        Ret::Number(f64::from(n))
    }
}

/// Throw a JS error and return `undefined` (well, the null handle Node takes for it).
///
/// # Safety
/// `env` must be the running callback's.
unsafe fn throw(env: sys::napi_env, type_error: bool, message: &str) -> sys::napi_value {
    let message = std::ffi::CString::new(message.replace('\0', " ")).unwrap_or_default();
    // SAFETY: `message` is a NUL-terminated string alive across the call; no code is given.
    unsafe {
        if type_error {
            sys::napi_throw_type_error(env, ptr::null(), message.as_ptr());
        } else {
            sys::napi_throw_error(env, ptr::null(), message.as_ptr());
        }
    }
    ptr::null_mut()
}

/// Run a raw export: parse `N` arguments with `body`, catch panics, return the number.
///
/// # Safety
/// `env` and `info` must be the ones Node passed to the running callback, and `body` must
/// follow the argument getters' rules.
unsafe fn run<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    name: &str,
    body: impl FnOnce([sys::napi_value; N]) -> Option<Ret>,
) -> sys::napi_value {
    // SAFETY: per the caller.
    let Some(argv) = (unsafe { args::<N>(env, info) }) else {
        // SAFETY: `env` is the callback's.
        return unsafe { throw(env, true, &format!("{name}: cannot read the arguments")) };
    };
    match catch_unwind(AssertUnwindSafe(|| body(argv))) {
        Ok(Some(Ret::Value(value))) => value,
        Ok(Some(Ret::Number(n))) => {
            let mut out = ptr::null_mut();
            // SAFETY: `env` is the callback's; `out` is a valid destination.
            unsafe { sys::napi_create_double(env, n, &mut out) };
            out
        }
        // SAFETY: `env` is the callback's.
        Ok(None) => unsafe {
            throw(
                env,
                true,
                &format!("{name}: wrong argument types or unknown handle"),
            )
        },
        // SAFETY: as above.
        Err(_) => unsafe { throw(env, false, &format!("{name}: internal error (panic)")) },
    }
}

/// `decode(generation, codec, input)`: see `crate::decode` and `decoded`.
unsafe extern "C" fn js_decode(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: Node calls this with its own `env`/`info`; `input` is only used during the call
    // and is the only slice of its memory.
    unsafe {
        run::<3>(env, info, "decode", |[generation, codec, input]| {
            if !current(u32_arg(env, generation)?) {
                return Some(Ret::Number(STALE));
            }
            let (input, array_buffer) = input_arg(env, input)?;
            crate::decode(u32_arg(env, codec)?, input).map(|n| decoded(n, array_buffer))
        })
    }
}

/// `push(generation, decoder, chunk)`: see `crate::push` and `decoded`.
unsafe extern "C" fn js_push(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: as in `js_decode`.
    unsafe {
        run::<3>(env, info, "push", |[generation, decoder, chunk]| {
            if !current(u32_arg(env, generation)?) {
                return Some(Ret::Number(STALE));
            }
            let (chunk, array_buffer) = input_arg(env, chunk)?;
            crate::push(u32_arg(env, decoder)?, chunk).map(|n| decoded(n, array_buffer))
        })
    }
}

/// `encode(generation, codec, words, blobLength, at)` into the registered scratch: see `crate::encode`.
unsafe extern "C" fn js_encode(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: Node calls this with its own `env`/`info`.
    unsafe {
        run::<5>(
            env,
            info,
            "encode",
            |[generation, codec, words, blob, at]| {
                if !current(u32_arg(env, generation)?) {
                    return Some(Ret::Number(STALE));
                }
                let (codec, words, blob, at) = (
                    u32_arg(env, codec)?,
                    u32_arg(env, words)?,
                    u32_arg(env, blob)?,
                    u32_arg(env, at)?,
                );
                crate::encode(codec, words, blob, Dest::Scratch(at)).map(|n| Ret::Number(n as f64))
            },
        )
    }
}

/// `encodeInto(generation, codec, words, blobLength, buf, at)`: see `crate::encode`.
unsafe extern "C" fn js_encode_into(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: as in `js_decode`. `buf` may be a view of the registered output pool (an earlier
    // encoding), but this path makes no other slice of the pool, so nothing aliases it.
    unsafe {
        run::<6>(
            env,
            info,
            "encodeInto",
            |[generation, codec, words, blob, buf, at]| {
                if !current(u32_arg(env, generation)?) {
                    return Some(Ret::Number(STALE));
                }
                let (codec, words, blob, at) = (
                    u32_arg(env, codec)?,
                    u32_arg(env, words)?,
                    u32_arg(env, blob)?,
                    u32_arg(env, at)?,
                );
                let buf = bytes_arg(env, buf)?;
                crate::encode(codec, words, blob, Dest::Caller(buf, at))
                    .map(|n| Ret::Number(n as f64))
            },
        )
    }
}

type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

const EXPORTS: [(&str, Callback); 4] = [
    ("decode", js_decode),
    ("push", js_push),
    ("encode", js_encode),
    ("encodeInto", js_encode_into),
];

/// Add the raw exports to `exports`.
///
/// # Safety
/// `env` and `exports` must be the module's, during its initialisation.
pub unsafe fn install(env: sys::napi_env, exports: sys::napi_value) -> Result<(), String> {
    for (name, callback) in EXPORTS {
        let mut function = ptr::null_mut();
        // SAFETY: `name` is valid UTF-8 of the given length; no data pointer is attached.
        let status = unsafe {
            sys::napi_create_function(
                env,
                name.as_ptr().cast(),
                name.len() as isize,
                Some(callback),
                ptr::null_mut::<c_void>(),
                &mut function,
            )
        };
        if status != sys::Status::napi_ok {
            return Err(format!("cannot create {name}"));
        }
        let key = std::ffi::CString::new(name).map_err(|e| e.to_string())?;
        // SAFETY: `exports` is the module's object, `key` is NUL-terminated.
        let status = unsafe { sys::napi_set_named_property(env, exports, key.as_ptr(), function) };
        if status != sys::Status::napi_ok {
            return Err(format!("cannot export {name}"));
        }
    }
    Ok(())
}
