//! tokio-util `Decoder`/`Encoder` for every codec (feature `tokio`).

/// Implements `tokio_util::codec::{Decoder, Encoder}` for a [`crate::Codec`] type. Errors cross
/// as `std::io::Error` wrapping the [`crate::Error`] (`get_ref()` and downcast to read it back).
macro_rules! impl_tokio_codec {
    ($codec:ty) => {
        impl tokio_util::codec::Decoder for $codec {
            type Item = <$codec as $crate::Codec>::Frame;
            type Error = std::io::Error;

            fn decode(&mut self, src: &mut bytes::BytesMut) -> std::io::Result<Option<Self::Item>> {
                $crate::Codec::decode(self, src).map_err(Into::into)
            }
        }

        impl tokio_util::codec::Encoder<<$codec as $crate::Codec>::Frame> for $codec {
            type Error = std::io::Error;

            fn encode(
                &mut self,
                item: <$codec as $crate::Codec>::Frame,
                dst: &mut bytes::BytesMut,
            ) -> std::io::Result<()> {
                $crate::Codec::encode(self, &item, dst).map_err(Into::into)
            }
        }

        impl<'a> tokio_util::codec::Encoder<&'a <$codec as $crate::Codec>::Frame> for $codec {
            type Error = std::io::Error;

            fn encode(
                &mut self,
                item: &'a <$codec as $crate::Codec>::Frame,
                dst: &mut bytes::BytesMut,
            ) -> std::io::Result<()> {
                $crate::Codec::encode(self, item, dst).map_err(Into::into)
            }
        }
    };
}

pub(crate) use impl_tokio_codec;
